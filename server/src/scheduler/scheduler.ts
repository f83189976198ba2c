/**
 * The scheduler every coordinator runs: it sleeps until the earliest next tick of any scheduled job or
 * cron trigger (at most `pollMs`, so schedules created through another coordinator are seen soon), then
 * fires everything due; with nothing due, a look costs one query. Ticks are taken with SKIP LOCKED, so coordinators share the work and never
 * fire one tick twice; which coordinator fires a tick does not matter.
 */
import type { Database } from '../db/database.ts';

export interface SchedulerOptions {
  readonly db: Database;
  /** Fire up to a batch of due ticks; each answers how many it fired. */
  readonly fire: ReadonlyArray<() => Promise<number>>;
  readonly onError: (error: unknown) => void;
  /** The longest sleep between looks at the schedules. */
  readonly pollMs?: number;
}

export interface Scheduler {
  /** Looks at the schedules now instead of at the next tick (a schedule was created or resumed). */
  wake(): void;
  stop(): Promise<void>;
}

const BATCH_FULL = 50;

/** Milliseconds until the earliest tick due anywhere, by the database's clock (null: nothing scheduled). */
async function msUntilNextTick(db: Database): Promise<number | null> {
  const rows = await db.query<{ ms: number | null }>(
    `SELECT extract(epoch FROM (least(
       (SELECT min(next_run_at) FROM twerk.scheduled_jobs WHERE state = 'ACTIVE'),
       (SELECT min(next_run_at) FROM twerk.triggers WHERE enabled AND next_run_at IS NOT NULL)
     ) - clock_timestamp())) * 1000 AS ms`,
  );
  const ms = rows.rows[0]?.ms;
  return ms === null || ms === undefined ? null : Number(ms);
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const pollMs = options.pollMs ?? 1_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wakeUp: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wakeUp = resolve;
      timer = setTimeout(resolve, Math.max(0, ms));
    }).finally(() => {
      clearTimeout(timer);
      wakeUp = undefined;
    });

  async function pass(): Promise<void> {
    for (const fire of options.fire) {
      while (!stopped && (await fire()) >= BATCH_FULL);
    }
  }

  const loop = (async () => {
    while (!stopped) {
      let wait = pollMs;
      try {
        // One cheap look at the earliest tick; the firing transactions run only when one is due.
        let untilNext = await msUntilNextTick(options.db);
        if (untilNext !== null && untilNext <= 0) {
          await pass();
          untilNext = await msUntilNextTick(options.db);
        }
        // A few milliseconds past the tick, so the database's now() has reached it.
        if (untilNext !== null) wait = Math.min(pollMs, Math.max(0, untilNext + 5));
      } catch (error) {
        if (!stopped) options.onError(error);
      }
      if (!stopped) await sleep(wait);
    }
  })();

  return {
    wake: () => wakeUp?.(),
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
    },
  };
}
