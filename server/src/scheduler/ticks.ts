/**
 * Which tick a due schedule fires, and when it fires next. The policy for ticks missed while no
 * coordinator ran (documented in the README):
 *
 * - A tick that comes due while coordinators run is fired, each one with its own job, even when a pass
 *   is a little late (a pause of the event loop, a slow transaction): a tick at most `graceMs` late
 *   fires as itself.
 * - Ticks missed by more than that (everything was down, or the schedule was paused and resumed) are
 *   not replayed in a burst: they collapse into a single firing, for the latest missed tick, as soon
 *   as a coordinator is back; the schedule then continues with its next tick after now.
 */
import { nextFiring, type CronSpec } from '@twerk/contract';

export const DEFAULT_GRACE_MS = 5_000;

export interface TickPlan {
  /** The tick to fire now. */
  readonly tick: Date;
  /** The tick after it (undefined: the schedule never fires again). */
  readonly next: Date | undefined;
  /** Whether earlier missed ticks were folded into this one. */
  readonly collapsed: boolean;
}

/** The tick a schedule whose next tick `due` has come fires now (`now` >= `due`). */
export function planTick(spec: CronSpec, due: Date, now: Date, graceMs: number = DEFAULT_GRACE_MS): TickPlan {
  if (now.getTime() - due.getTime() <= graceMs) return { tick: due, next: nextFiring(spec, due), collapsed: false };
  const tick = latestTickBetween(spec, due, now);
  return { tick, next: nextFiring(spec, now), collapsed: tick.getTime() !== due.getTime() };
}

/**
 * The latest tick in [due, now]. It looks back from now over a window that doubles until it holds a
 * tick, so a per-second schedule down for a month costs a few steps, not millions.
 */
function latestTickBetween(spec: CronSpec, due: Date, now: Date): Date {
  for (let lookbackMs = 1_000; ; lookbackMs *= 2) {
    const from = Math.max(due.getTime(), now.getTime() - lookbackMs);
    let latest: Date | undefined = from === due.getTime() ? due : undefined;
    let after = new Date(from);
    for (let steps = 0; steps < 10_000; steps += 1) {
      const tick = nextFiring(spec, after);
      if (tick === undefined || tick.getTime() > now.getTime()) break;
      latest = tick;
      after = tick;
    }
    if (latest !== undefined) return latest;
  }
}
