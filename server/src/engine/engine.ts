/**
 * Wires the pieces of one process together: database, broker, coordinator consumers and (in standalone
 * or worker mode) a native worker.
 */
import type { JobDocument } from '@twerk/contract';
import { startBroker, type Broker } from '../broker/broker.ts';
import { cancelJob, handleJobCommand, handleTaskReport, restartJob, submitJob, type CoordinatorDeps } from '../coordinator/coordinator.ts';
import { QUEUES, type JobCommand, type TaskReport } from '../coordinator/messages.ts';
import type { Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import type { TaskRunner } from './runner.ts';
import { startWorker, type Worker } from './worker.ts';

export interface EngineOptions {
  readonly db: Database & { readonly pglite?: import('@electric-sql/pglite').PGlite };
  /** The PostgreSQL URL (for pg-boss) when `db` is a server database. */
  readonly url?: string;
  readonly coordinator: boolean;
  readonly worker?: { readonly runner: TaskRunner; readonly queues: Readonly<Record<string, number>>; readonly nodeId: string };
}

export interface Engine {
  readonly db: Database;
  readonly broker: Broker;
  submit(document: JobDocument, createdBy?: string | null): Promise<string>;
  cancel(jobId: string): ReturnType<typeof cancelJob>;
  restart(jobId: string): ReturnType<typeof restartJob>;
  stop(): Promise<void>;
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  await migrate(options.db);
  const connection = options.db.pglite !== undefined ? { pglite: options.db.pglite } : { url: options.url ?? '' };
  const broker = await startBroker({ connection });
  await broker.ensureQueue(QUEUES.jobs);
  await broker.ensureQueue(QUEUES.tasks);
  const deps: CoordinatorDeps = { db: options.db, broker };
  if (options.coordinator) {
    await broker.consume<JobCommand>(QUEUES.jobs, { batchSize: 20 }, async (jobs) => {
      for (const job of jobs) await handleJobCommand(deps, job.data);
    });
    await broker.consume<TaskReport>(QUEUES.tasks, { batchSize: 50 }, async (jobs) => {
      for (const job of jobs) await handleTaskReport(deps, job.data);
    });
  }
  let worker: Worker | undefined;
  if (options.worker) {
    worker = await startWorker({ db: options.db, broker, ...options.worker, ...(options.coordinator ? { handleReport: (report: TaskReport) => handleTaskReport(deps, report) } : {}) });
  }
  return {
    db: options.db,
    broker,
    submit: (document, createdBy) => submitJob(deps, document, createdBy ?? null),
    cancel: (jobId) => cancelJob(deps, jobId),
    restart: (jobId) => restartJob(deps, jobId),
    async stop() {
      await worker?.stop();
      await broker.stop();
    },
  };
}
