/**
 * Waiting for jobs to end without polling: the coordinator NOTIFYs `twerk_jobs` when a job reaches
 * COMPLETED, FAILED or CANCELLED (in the transaction that ends it), and waiters here wake on it. A
 * waiter checks the database once after subscribing (the job may have ended already), again after a
 * gap in notifications, and on a slow backstop, so no missed message can leave it hanging.
 */
import { CHANNELS } from '../coordinator/messages.ts';
import type { Database, Unlisten } from '../db/database.ts';
import { getJob, type JobRecord } from '../datastore/jobs.ts';

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

interface Waiter {
  readonly jobId: string;
  check(): void;
}

export class JobEvents {
  private readonly waiters = new Set<Waiter>();
  private readonly db: Database;
  private unlisten: Unlisten | undefined;

  private constructor(db: Database) {
    this.db = db;
  }

  static async start(db: Database): Promise<JobEvents> {
    const events = new JobEvents(db);
    events.unlisten = await db.listen(
      CHANNELS.jobs,
      (payload) => events.ended(payload.split(' ')[0] ?? ''),
      () => events.recheckAll(),
    );
    return events;
  }

  private ended(jobId: string): void {
    for (const waiter of this.waiters) if (waiter.jobId === jobId) waiter.check();
  }

  private recheckAll(): void {
    for (const waiter of this.waiters) waiter.check();
  }

  /** The job once it has ended (undefined if it does not exist or is deleted), or 'timeout'. */
  waitForEnd(jobId: string, timeoutMs: number): Promise<JobRecord | undefined | 'timeout'> {
    return new Promise((resolve, reject) => {
      let checking = false;
      let again = false;
      const finish = (value: JobRecord | undefined | 'timeout') => {
        this.waiters.delete(waiter);
        clearTimeout(deadline);
        clearInterval(backstop);
        resolve(value);
      };
      const waiter: Waiter = {
        jobId,
        check: () => {
          if (checking) {
            again = true;
            return;
          }
          checking = true;
          getJob(this.db, jobId).then(
            (job) => {
              checking = false;
              if (job === undefined || TERMINAL.has(job.state)) finish(job);
              else if (again) {
                again = false;
                waiter.check();
              }
            },
            (error: unknown) => {
              checking = false;
              this.waiters.delete(waiter);
              clearTimeout(deadline);
              clearInterval(backstop);
              reject(error);
            },
          );
        },
      };
      const deadline = setTimeout(() => finish('timeout'), timeoutMs);
      const backstop = setInterval(() => waiter.check(), 5_000);
      this.waiters.add(waiter);
      waiter.check();
    });
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    for (const waiter of this.waiters) waiter.check();
  }
}
