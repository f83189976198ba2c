/**
 * Housekeeping a coordinator runs in the background, every second: tasks whose worker's lease ran
 * out go back to their queue, state machines' waits that are due end, and jobs whose `autoDelete.after` has passed are deleted with
 * everything they own — each a bounded batch at a time, so a backlog never stalls the coordinator,
 * and several coordinators share the work (rows are taken with SKIP LOCKED). Embedded PostgreSQL
 * runs in single-user mode, where autovacuum never runs, so it is vacuumed here.
 */
import type { Database } from '../db/database.ts';
import { deleteJobTrees, jobsDueForDeletion } from '../datastore/jobs.ts';

export interface MaintenanceOptions {
  readonly db: Database;
  /** Requeues up to a batch of tasks whose lease expired; answers how many it looked at. */
  readonly requeueLost: () => Promise<number>;
  /** Completes up to a batch of state machines' durable waits that are due; answers how many. */
  readonly fireTimers?: () => Promise<number>;
  readonly onError: (error: unknown) => void;
  /** How often to look for jobs to delete. */
  readonly intervalMs?: number;
  readonly vacuumEveryMs?: number;
}

export interface Maintenance {
  /** Deletes what is due now; answers how many jobs went. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

const BATCH = 200;

export function startMaintenance(options: MaintenanceOptions): Maintenance {
  const { db, onError } = options;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let lastVacuum = Date.now();

  async function deleteDue(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const count = await db.transaction(async (tx) => deleteJobTrees(tx, await jobsDueForDeletion(tx, BATCH)));
      deleted += count;
      if (count === 0 || stopped) return deleted;
    }
  }

  async function tick(): Promise<void> {
    while ((await options.requeueLost()) >= 100 && !stopped);
    if (options.fireTimers) while ((await options.fireTimers()) >= 100 && !stopped);
    await deleteDue();
    if (db.kind === 'pglite' && Date.now() - lastVacuum > (options.vacuumEveryMs ?? 10 * 60_000)) {
      lastVacuum = Date.now();
      await db.script('VACUUM');
    }
  }

  let busy = false;
  const timer = setInterval(() => {
    if (busy || stopped) return; // a slow pass is not stacked upon
    busy = true;
    running = running.then(() => tick().catch(onError)).finally(() => (busy = false));
  }, options.intervalMs ?? 1_000);

  return {
    runOnce() {
      const result = running.then(deleteDue);
      running = result.catch(() => {});
      return result;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
