/**
 * The coordinator's entry points: every transition of a job and its tasks happens through these, in
 * one transaction with the messages it causes, and every one is idempotent — a redelivered message
 * finds the state already moved and changes nothing (DESIGN "Data flow" 2–5). Reports arrive in
 * batches and are settled together: a fan-out of thousands costs a few statements per batch, not a
 * transaction and a parent lock per child.
 */
import type { JobDocument } from '@twerk/contract';
import { newId } from '../datastore/ids.ts';
import { insertJob } from '../datastore/jobs.ts';
import { completeTasks, failTask, lockDueTimers, lockExpiredLeases, lockWaitingInQueue, lostAttempts, markStarted, setProgress, type Completion, type Failure } from '../datastore/tasks.ts';
import type { MachineJobDocument } from './machine.ts';
import { cancelJobTree } from './cancel.ts';
import type { JobCommand, TaskReport } from './messages.ts';
import { restart, type RestartOutcome } from './restart.ts';
import { transact, type CoordinatorDeps, type Session } from './session.ts';
import { nextAttempt, scheduleFrom, settle, type Finished } from './settle.ts';

export { JobBodies, type CoordinatorDeps, type CoordinatorObserver, type TaskOutcome } from './session.ts';

/** Where a job came from, beyond the document: who submitted it, and the schedule tick that started it. */
export interface JobOrigin {
  readonly createdBy?: string | null;
  readonly schedule?: { readonly id: string; readonly tick: Date };
}

/**
 * Stores a state machine's execution as a job (the machine as submitted, already validated, and its
 * input) and queues its start, in the session's transaction.
 */
export async function enqueueMachine(s: Session, tree: Readonly<Record<string, unknown>>, input: unknown, origin: JobOrigin = {}): Promise<string> {
  const id = newId();
  const comment = tree['comment'] ?? tree['Comment'];
  const name = typeof comment === 'string' && comment.trim() !== '' ? comment.slice(0, 256) : 'state machine';
  await insertJob(s.tx, {
    id,
    parentId: null,
    name,
    description: null,
    tags: ['state-machine'],
    state: 'PENDING',
    createdBy: origin.createdBy ?? null,
    position: 0,
    taskCount: 0,
    document: { name, tasks: [], machine: JSON.stringify(tree), input: JSON.stringify(input === undefined ? {} : input) } as MachineJobDocument,
    inputs: {},
    secrets: {},
    context: { tasks: {} },
    output: null,
    ...scheduleColumns(origin),
  });
  s.startJobLater(id);
  return id;
}

/** Stores a job and queues its start, in the session's transaction. */
export async function enqueueJob(s: Session, document: JobDocument, origin: JobOrigin = {}): Promise<string> {
  const id = newId();
  const { secrets = {}, inputs = {} } = document;
  await insertJob(s.tx, {
    id,
    parentId: null,
    name: document.name,
    description: document.description ?? null,
    tags: [...(document.tags ?? [])],
    state: 'PENDING',
    createdBy: origin.createdBy ?? null,
    position: 0,
    taskCount: document.tasks.length,
    // Secrets are kept in their own column only, so the stored definition never carries them.
    document: { ...document, secrets: undefined } as JobDocument,
    inputs: { ...inputs },
    secrets: { ...secrets },
    context: { tasks: {} },
    output: document.output ?? null,
    ...scheduleColumns(origin),
  });
  s.startJobLater(id);
  return id;
}

function scheduleColumns(origin: JobOrigin) {
  return origin.schedule === undefined ? {} : { scheduleId: origin.schedule.id, scheduledFor: origin.schedule.tick };
}

export function submitMachine(deps: CoordinatorDeps, tree: Readonly<Record<string, unknown>>, input: unknown, createdBy: string | null = null): Promise<string> {
  return transact(deps, (s) => enqueueMachine(s, tree, input, { createdBy }));
}

export function submitJob(deps: CoordinatorDeps, document: JobDocument, createdBy: string | null = null): Promise<string> {
  return transact(deps, (s) => enqueueJob(s, document, { createdBy }));
}

/** Completes the durable waits whose time has come; their executions move on. Answers how many. */
export async function fireDueTimers(deps: CoordinatorDeps, limit = 100): Promise<number> {
  return transact(deps, async (s) => {
    const due = await lockDueTimers(s.tx, limit);
    const at = new Date();
    const finished: Finished[] = (await completeTasks(s.tx, due.map((id) => ({ id, result: '', at })))).map((task) => ({ task, ok: true, result: '' }));
    await settle(s, finished);
    return due.length;
  });
}

/** Stores a validated job and queues its start, atomically. */
export async function handleJobCommands(deps: CoordinatorDeps, commands: readonly JobCommand[]): Promise<void> {
  await transact(deps, async (s) => {
    const jobs = await s.lockJobs(commands.map((command) => command.jobId));
    const finished: Finished[] = [];
    for (const job of jobs.values()) {
      if (job.state !== 'PENDING') continue; // already started: a redelivery
      s.setJob(job, { state: 'RUNNING', startedAt: new Date() });
      finished.push(...(await scheduleFrom(s, job, 1)));
    }
    await settle(s, finished);
  });
}

/** Applies a batch of worker reports in one transaction; answers the tasks the completions and failures settled. */
export async function handleTaskReports(deps: CoordinatorDeps, reports: readonly TaskReport[]): Promise<string[]> {
  return transact(deps, async (s) => {
    const completions: Completion[] = [];
    const failures: Failure[] = [];
    for (const report of reports) {
      switch (report.type) {
        case 'started':
          await markStarted(s.tx, report.taskId, report.nodeId);
          break;
        case 'progress':
          await setProgress(s.tx, report.taskId, Math.min(100, Math.max(0, report.progress)));
          break;
        case 'completed':
          completions.push({ id: report.taskId, result: report.result, at: new Date(report.at ?? Date.now()), leaseId: report.leaseId, outputs: report.outputs });
          break;
        case 'failed':
          failures.push({ ...report, id: report.taskId, at: new Date(report.at ?? Date.now()) });
          break;
      }
    }
    const results = new Map(completions.map((completion) => [completion.id, completion.result]));
    const finished: Finished[] = (await completeTasks(s.tx, completions)).map((task) => ({ task, ok: true, result: results.get(task.id) ?? '' }));
    for (const failure of failures) {
      const task = await failTask(s.tx, failure);
      if (task !== undefined) finished.push({ task, ok: false, error: failure.error, retryable: failure.retryable });
    }
    await settle(s, finished);
    return finished.map((item) => item.task.id);
  });
}

/** Cancels an active job, its tasks and attached sub-jobs; workers running its tasks notice and stop them. */
export async function cancelJob(deps: CoordinatorDeps, jobId: string): Promise<'cancelled' | 'not-found' | 'not-active'> {
  return transact(deps, async (s) => {
    const job = await s.lockJob(jobId);
    if (job === undefined) return 'not-found';
    if (job.state !== 'PENDING' && job.state !== 'SCHEDULED' && job.state !== 'RUNNING') return 'not-active';
    await cancelJobTree(s, job);
    if (job.parentId !== null) {
      // An attached sub-job cancelled on its own: the task waiting for it fails, rather than wait for ever.
      const error = `sub-job ${job.name} was cancelled`;
      const task = await failTask(s.tx, { id: job.parentId, error, at: new Date() });
      if (task !== undefined) await settle(s, [{ task, ok: false, error }]);
    }
    return 'cancelled';
  });
}

/** Resumes a FAILED or CANCELLED job at the task it stopped on (a composite from its failed children). */
export async function restartJob(deps: CoordinatorDeps, jobId: string): Promise<RestartOutcome | 'not-found'> {
  return transact(deps, async (s) => {
    const job = await s.lockJob(jobId);
    if (job === undefined) return 'not-found';
    const { outcome, finished } = await restart(s, job);
    await settle(s, finished);
    return outcome;
  });
}

/** The error of an attempt whose worker stopped renewing its lease. */
export const LOST_WORKER = 'the worker running it stopped renewing its lease (it died, or lost the database)';
/** A task whose worker is lost this many times fails instead of going back to the queue once more. */
const MAX_LOST_ATTEMPTS = 3;

/**
 * Puts tasks whose worker is gone back in their queue, as a new attempt (which counts towards the
 * task's retry limit); a task lost this way MAX_LOST_ATTEMPTS times fails. Answers how many expired
 * leases it handled (a full batch means there may be more).
 */
export async function requeueLostTasks(deps: CoordinatorDeps, limit = 100): Promise<number> {
  return transact(deps, async (s) => {
    const expired = await lockExpiredLeases(s.tx, limit);
    const finished: Finished[] = [];
    for (const lost of expired) {
      const task = await failTask(s.tx, { id: lost.id, error: LOST_WORKER, at: new Date() });
      if (task === undefined) continue;
      const job = await s.lockJob(task.jobId);
      if (job?.state === 'RUNNING' && (await lostAttempts(s.tx, task, LOST_WORKER)) >= MAX_LOST_ATTEMPTS) {
        finished.push({ task, ok: false, error: `${LOST_WORKER}, ${MAX_LOST_ATTEMPTS} times` });
        continue;
      }
      // Not settled (the task goes on in another attempt, or its job ended), but this attempt failed.
      s.taskFinished(task, false);
      if (job?.state !== 'RUNNING') continue;
      s.addTask(nextAttempt(task, lost.spec));
      s.announce(task.queue);
    }
    await settle(s, finished);
    return expired.length;
  });
}

/**
 * Purges a work queue: the tasks waiting in it fail (they will not be retried), and their jobs go on
 * as a failure makes them. Answers how many tasks it removed.
 */
export async function purgeQueue(deps: CoordinatorDeps, queue: string): Promise<number> {
  return transact(deps, async (s) => {
    const waiting = await lockWaitingInQueue(s.tx, queue);
    const finished: Finished[] = [];
    const error = `removed from queue ${queue} when it was purged`;
    for (const id of waiting) {
      const task = await failTask(s.tx, { id, error, at: new Date() });
      if (task !== undefined) finished.push({ task, ok: false, error, retryable: false });
    }
    await settle(s, finished);
    return finished.length;
  });
}
