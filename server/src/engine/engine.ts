/**
 * Wires the pieces of one process together: database, broker, coordinator consumers and
 * housekeeping (coordinator and standalone modes) and a native worker (worker and standalone).
 * Beside a local coordinator, the worker hands its reports straight to it: the same transaction and
 * guards as through the queue, without a message round trip per batch.
 */
import type { JobDocument, ScheduledJobDocument, TriggerInput } from '@twerk/contract';
import { startBroker, type Broker } from '../broker/broker.ts';
import { API_VERSION } from '@twerk/contract';
import { cancelJob, fireDueTimers, handleJobCommands, handleTaskReports, JobBodies, purgeQueue, requeueLostTasks, restartJob, submitJob, submitMachine, type CoordinatorDeps, type CoordinatorObserver } from '../coordinator/coordinator.ts';
import { QUEUES, type JobCommand, type TaskReport } from '../coordinator/messages.ts';
import type { Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { deleteJobTrees, type JobRecord } from '../datastore/jobs.ts';
import { newId } from '../datastore/ids.ts';
import { checkEncryptionKey } from '../datastore/encryption-key.ts';
import { secretsCipher, withSecretsCipher } from '../datastore/secrets-cipher.ts';
import { JobEvents } from './job-events.ts';
import { createScheduledJob, fireDueScheduledJobs, pauseScheduledJob, resumeScheduledJob, type ScheduleChange } from '../scheduler/scheduled-jobs.ts';
import { startScheduler, type Scheduler } from '../scheduler/scheduler.ts';
import type { ScheduledJobRecord } from '../datastore/scheduled-jobs.ts';
import { fireDueCronTriggers, fireTriggerNow, publishEvent, type FiringOutcome, type FiringRequest } from '../triggers/fire.ts';
import { createTrigger, removeTrigger, updateTrigger, type StoreOutcome } from '../triggers/store.ts';
import { startMaintenance, type Maintenance, type Retention } from './maintenance.ts';
import { Deliverer, type WebhookLog } from '../webhooks/deliverer.ts';
import type { WebhookSettings } from '../webhooks/settings.ts';
import { registerThisNode } from './node-registry.ts';
import { WorkSignals } from './work-signals.ts';
import type { TaskRunner } from './runner.ts';
import { startWorker, type Worker } from './worker.ts';

export interface EngineOptions {
  readonly db: Database & { readonly pglite?: import('@electric-sql/pglite').PGlite };
  /** The PostgreSQL URL (for pg-boss) when `db` is a server database. */
  readonly url?: string;
  readonly coordinator: boolean;
  readonly worker?: { readonly runner: TaskRunner; readonly queues: Readonly<Record<string, number>>; readonly nodeId: string; readonly cancelPollMs?: number; readonly leaseMs?: number };
  /** Background errors (a lost connection, a failed housekeeping pass): logged by the caller. */
  readonly onError?: (error: unknown) => void;
  readonly maintenanceIntervalMs?: number;
  /** The longest the scheduler sleeps before looking at the schedules again (default 1 s). */
  readonly schedulerPollMs?: number;
  /** How long log parts and ended jobs are kept (`datastore.retention.*`; null keeps them); without it, forever. */
  readonly retention?: Retention;
  /** This process as a node (GET /nodes); its id is also the worker's, on the tasks it claims. */
  readonly node?: { readonly id?: string; readonly name?: string; readonly version?: string };
  /** How coordinators deliver webhooks (`webhooks.*`); defaults for what is left out. */
  readonly webhooks?: Partial<WebhookSettings>;
  /** What webhook delivery reports (failed attempts, skipped webhooks); never a rendered header. */
  readonly webhookLog?: WebhookLog;
  /** `datastore.encryption.key`: secrets are stored sealed with it; without it, as given (and encrypted ones cannot be read). */
  readonly encryptionKey?: string;
  /** Hears of the tasks this process's coordinator finished (the process's metrics). */
  readonly observer?: CoordinatorObserver;
}

export interface Engine {
  readonly db: Database;
  readonly broker: Broker;
  readonly nodeId: string;
  /** Wake-ups for claims that wait for work (coordinators). */
  readonly signals: WorkSignals | undefined;
  /** Applies worker reports (HTTP workers' through the API), as the coordinator does with its queue's. */
  report(reports: readonly TaskReport[]): Promise<string[]>;
  /** Fails the tasks waiting in a work queue; answers how many. */
  purgeQueue(queue: string): Promise<number>;
  submit(document: JobDocument, createdBy?: string | null): Promise<string>;
  /** Starts an execution of a validated state machine (the document as submitted) with this input. */
  submitMachine(tree: Readonly<Record<string, unknown>>, input?: unknown, createdBy?: string | null): Promise<string>;
  cancel(jobId: string): ReturnType<typeof cancelJob>;
  restart(jobId: string): ReturnType<typeof restartJob>;
  /** The job once it is COMPLETED, FAILED or CANCELLED (undefined if it does not exist), or 'timeout'. */
  waitForJob(jobId: string, timeoutMs: number): Promise<JobRecord | undefined | 'timeout'>;
  /** Deletes finished jobs with their tasks, logs and sub-jobs. */
  deleteJob(jobId: string): Promise<boolean>;
  readonly scheduledJobs: {
    create(document: ScheduledJobDocument, createdBy?: string | null): Promise<ScheduledJobRecord>;
    pause(id: string): Promise<ScheduleChange>;
    resume(id: string): Promise<ScheduleChange>;
  };
  readonly triggers: {
    create(input: TriggerInput): Promise<StoreOutcome>;
    update(id: string, input: TriggerInput): Promise<StoreOutcome>;
    remove(id: string): Promise<boolean>;
    fire(id: string, request: FiringRequest): Promise<FiringOutcome>;
    publish(event: string, payload: Readonly<Record<string, unknown>>, idempotencyKey?: string): Promise<FiringOutcome[]>;
  };
  /** Runs the autoDelete pass now (it also runs every second); answers how many jobs went. */
  deleteExpiredJobs(): Promise<number>;
  stop(): Promise<void>;
}

export async function startEngine(given: EngineOptions): Promise<Engine> {
  // Every connection the engine hands out carries the cipher, so the datastore seals and opens secrets wherever it is called from.
  const options = { ...given, db: withSecretsCipher(given.db, secretsCipher(given.encryptionKey)) };
  const onError = options.onError ?? (() => {});
  await migrate(options.db);
  // Workers never read secrets, so only coordinators (and a process given a key) need a usable one.
  if (options.coordinator || options.encryptionKey !== undefined) await checkEncryptionKey(options.db);
  const connection = options.db.pglite !== undefined ? { pglite: options.db.pglite } : { url: options.url ?? '' };
  const broker = await startBroker({ connection });
  await broker.ensureQueue(QUEUES.jobs);
  await broker.ensureQueue(QUEUES.tasks);
  const deps: CoordinatorDeps = { db: options.db, broker, bodies: new JobBodies(), ...(options.observer !== undefined ? { observer: options.observer } : {}) };
  const nodeId = options.node?.id ?? options.worker?.nodeId ?? newId();
  const kind = options.coordinator ? (options.worker ? 'standalone' : 'coordinator') : 'worker';
  const node = await registerThisNode(options.db, { id: nodeId, name: options.node?.name ?? nodeId, kind, version: options.node?.version ?? API_VERSION, queues: Object.keys(options.worker?.queues ?? {}) }, onError);
  const signals = options.coordinator ? await WorkSignals.start(options.db) : undefined;
  // Waiting for jobs serves the API, which only coordinators run.
  const events = options.coordinator ? await JobEvents.start(options.db) : undefined;
  let maintenance: Maintenance | undefined;
  let scheduler: Scheduler | undefined;
  let deliverer: Deliverer | undefined;
  if (options.coordinator) {
    // A handler that throws leaves its batch to pg-boss's retries; it is reported, so it is never silent.
    const reported = <T>(work: () => Promise<T>) => work().catch((error: unknown) => {
      onError(error);
      throw error;
    });
    await broker.consume<JobCommand>(QUEUES.jobs, { batchSize: 50 }, (jobs) => reported(() => handleJobCommands(deps, jobs.map((job) => job.data))));
    await broker.consume<TaskReport>(QUEUES.tasks, { batchSize: 200 }, async (jobs) => void (await reported(() => handleTaskReports(deps, jobs.map((job) => job.data)))));
    maintenance = startMaintenance({ db: options.db, requeueLost: () => requeueLostTasks(deps), fireTimers: () => fireDueTimers(deps), onError, ...(options.maintenanceIntervalMs !== undefined ? { intervalMs: options.maintenanceIntervalMs } : {}), ...(options.retention !== undefined ? { retention: options.retention } : {}) });
    deliverer = await Deliverer.start({ db: options.db, onError, ...(options.webhooks !== undefined ? { settings: options.webhooks } : {}), ...(options.webhookLog !== undefined ? { log: options.webhookLog } : {}) });
    scheduler = startScheduler({ db: options.db, fire: [() => fireDueScheduledJobs(deps), () => fireDueCronTriggers(deps)], onError, ...(options.schedulerPollMs !== undefined ? { pollMs: options.schedulerPollMs } : {}) });
  }
  let worker: Worker | undefined;
  if (options.worker) {
    worker = await startWorker({
      db: options.db,
      broker,
      ...options.worker,
      nodeId,
      onError,
      ...(options.coordinator ? { sink: async (reports) => void (await handleTaskReports(deps, reports)) } : {}),
    });
  }
  /** A schedule changed here: the scheduler looks again now rather than after its current sleep. */
  const woken = <T>(value: T): T => {
    scheduler?.wake();
    return value;
  };
  return {
    db: options.db,
    broker,
    nodeId,
    signals,
    report: (reports) => handleTaskReports(deps, reports),
    purgeQueue: (queue) => purgeQueue(deps, queue),
    submit: (document, createdBy) => submitJob(deps, document, createdBy ?? null),
    submitMachine: (tree, input, createdBy) => submitMachine(deps, tree, input === undefined ? {} : input, createdBy ?? null),
    cancel: (jobId) => cancelJob(deps, jobId),
    restart: (jobId) => restartJob(deps, jobId),
    waitForJob: (jobId, timeoutMs) => (events ? events.waitForEnd(jobId, timeoutMs) : Promise.reject(new Error('waiting for jobs needs a coordinator'))),
    async deleteJob(jobId) {
      const deleted = (await options.db.transaction((tx) => deleteJobTrees(tx, [jobId]))) > 0;
      deps.bodies.forget(jobId);
      return deleted;
    },
    scheduledJobs: {
      create: async (document, createdBy) => woken(await createScheduledJob(deps, document, createdBy ?? null)),
      pause: (id) => pauseScheduledJob(deps, id),
      resume: async (id) => woken(await resumeScheduledJob(deps, id)),
    },
    triggers: {
      create: async (input) => woken(await createTrigger(deps, input)),
      update: async (id, input) => woken(await updateTrigger(deps, id, input)),
      remove: (id) => removeTrigger(deps, id),
      fire: (id, request) => fireTriggerNow(deps, id, request),
      publish: (event, payload, idempotencyKey) => publishEvent(deps, event, payload, idempotencyKey),
    },
    deleteExpiredJobs: () => (maintenance ? maintenance.runOnce() : Promise.resolve(0)),
    async stop() {
      await worker?.stop();
      await scheduler?.stop();
      await deliverer?.stop();
      await maintenance?.stop();
      await events?.stop();
      await signals?.stop();
      await node.stop();
      await broker.stop();
    },
  };
}
