/**
 * Housekeeping a coordinator runs in the background, every second: tasks whose worker's lease ran
 * out go back to their queue, state machines' waits that are due end, and jobs whose `autoDelete.after` has passed are deleted with
 * everything they own — each a bounded batch at a time, so a backlog never stalls the coordinator,
 * and several coordinators share the work (rows are taken with SKIP LOCKED). Embedded PostgreSQL
 * runs in single-user mode, where autovacuum never runs, so it is vacuumed here.
 *
 * Retention (`datastore.retention.*`) runs a pass every minute, the first on the first tick: log parts
 * older than the logs retention go, and top-level jobs that ended longer ago than the jobs retention go
 * with their tasks, logs and attached sub-jobs (and triggers' firing records as old go too). A pass is spread over ticks: each tick spends at most a
 * small budget on it, a batch per transaction, so a backlog of millions drains over many seconds while
 * lost tasks are still requeued every second.
 */
import type { Database } from '../db/database.ts';
import { deleteJobTrees, jobsDueForDeletion, jobsEndedBefore } from '../datastore/jobs.ts';
import { deleteLogPartsOlderThan } from '../datastore/logs.ts';
import { deleteFiringsOlderThan } from '../datastore/triggers.ts';

/** How long log parts and ended jobs are kept; null keeps them forever. */
export interface Retention {
  readonly logsMs: number | null;
  readonly jobsMs: number | null;
}

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
  /** Without it nothing is deleted by age. */
  readonly retention?: Retention;
  /** How long after one retention pass ends the next begins (1 minute). */
  readonly retentionEveryMs?: number;
  /** How long one tick may spend deleting (200 ms) before the next tick's other work comes first. */
  readonly tickBudgetMs?: number;
  /** Log parts, and job trees, per retention batch (1,000 and 100: a job tree can be many rows). */
  readonly retentionBatch?: { readonly logs: number; readonly jobs: number };
}

/** What one retention step deleted: log parts, and jobs chosen by age (their sub-jobs not counted). */
export interface RetentionStep {
  readonly logs: number;
  readonly jobs: number;
}

export interface Maintenance {
  /** Deletes what is due now; answers how many jobs went. */
  runOnce(): Promise<number>;
  /** One retention batch of each kind now, whatever the schedule; answers what went. */
  retainOnce(): Promise<RetentionStep>;
  stop(): Promise<void>;
}

const BATCH = 200;

export function startMaintenance(options: MaintenanceOptions): Maintenance {
  const { db, onError, retention } = options;
  const batch = options.retentionBatch ?? { logs: 1_000, jobs: 100 };
  const budgetMs = options.tickBudgetMs ?? 200;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let lastVacuum = Date.now();
  // The pass under way: which kinds still have a backlog. Between passes both are false.
  const pass = { logs: false, jobs: false };
  let nextPassAt = Date.now();

  /** Deletes autoDelete jobs that are due, a batch per transaction, until none is left or the deadline passes. */
  async function deleteDue(deadline = Number.POSITIVE_INFINITY): Promise<number> {
    let deleted = 0;
    for (;;) {
      const count = await db.transaction(async (tx) => deleteJobTrees(tx, await jobsDueForDeletion(tx, BATCH)));
      deleted += count;
      if (count === 0 || stopped || Date.now() >= deadline) return deleted;
    }
  }

  async function retainStep(kinds: { logs: boolean; jobs: boolean }): Promise<RetentionStep & { logsDone: boolean; jobsDone: boolean }> {
    let logs = 0;
    let jobs = 0;
    let logsDone = true;
    let jobsDone = true;
    if (kinds.logs && retention?.logsMs != null) {
      logs = await deleteLogPartsOlderThan(db, retention.logsMs, batch.logs);
      logsDone = logs < batch.logs;
    }
    if (kinds.jobs && retention?.jobsMs != null) {
      const ageMs = retention.jobsMs;
      jobs = await db.transaction(async (tx) => {
        const ids = await jobsEndedBefore(tx, ageMs, batch.jobs);
        await deleteJobTrees(tx, ids);
        return ids.length;
      });
      // Triggers' firing records age like the jobs they started.
      const firings = await deleteFiringsOlderThan(db, ageMs, batch.logs);
      jobsDone = jobs < batch.jobs && firings < batch.logs;
    }
    return { logs, jobs, logsDone, jobsDone };
  }

  /** Continues the retention pass (starting one when it is time) until it ends or the deadline passes. */
  async function retain(deadline: number): Promise<void> {
    if (retention === undefined) return;
    if (!pass.logs && !pass.jobs) {
      if (Date.now() < nextPassAt) return;
      pass.logs = retention.logsMs !== null;
      pass.jobs = retention.jobsMs !== null;
    }
    do {
      const step = await retainStep(pass);
      if (step.logsDone) pass.logs = false;
      if (step.jobsDone) pass.jobs = false;
    } while ((pass.logs || pass.jobs) && !stopped && Date.now() < deadline);
    if (!pass.logs && !pass.jobs) nextPassAt = Date.now() + (options.retentionEveryMs ?? 60_000);
  }

  async function tick(): Promise<void> {
    while ((await options.requeueLost()) >= 100 && !stopped);
    if (options.fireTimers) while ((await options.fireTimers()) >= 100 && !stopped);
    const deadline = Date.now() + budgetMs;
    await deleteDue(deadline);
    await retain(deadline);
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

  /** Runs `work` after whatever is running, so passes never overlap. */
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const result = running.then(work);
    running = result.catch(() => {});
    return result;
  }

  return {
    runOnce: () => serial(() => deleteDue()),
    retainOnce: () => serial(async () => {
      const { logs, jobs } = await retainStep({ logs: true, jobs: true });
      return { logs, jobs };
    }),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
