/**
 * Settling finished tasks, in batches: results reach the job context, finished children are counted
 * on their composite parent (one row update per parent per batch, never one lock per child), each
 * loops release waiting children, and finished top-level tasks move their job on or end it. A parent
 * that finishes is settled in turn, and so is the task of an attached sub-job that ended — wave after
 * wave, in the same transaction.
 */
import { evaluateTemplate, nanosToMillis, parseGoDuration, type TaskDocument } from '@twerk/contract';
import type { JobHead } from '../datastore/jobs.ts';
import { completeTasks, countChildOutcomes, deleteTasks, failedChildren, failTask, updateTask, waitingChildren, type NewTask, type ParentTally, type SettledTask } from '../datastore/tasks.ts';
import { newId } from '../datastore/ids.ts';
import { cancelTree, stopActiveTasks } from './cancel.ts';
import { failureSummary, mayRetry, retryDelayMs } from './plan.ts';
import type { Session } from './session.ts';
import { scopeOfRecord, startSubjob, startTask, type Started } from './start.ts';
import { advanceMachine, isExecution } from './machine.ts';

/** A task that ended: a worker's report, a composite whose children finished, a sub-job's task. */
export interface Finished {
  readonly task: SettledTask;
  readonly ok: boolean;
  readonly result?: string;
  readonly error?: string;
  /** false: a failure not to retry, whatever the task's retry allows. */
  readonly retryable?: boolean;
}

const isLeaf = (task: SettledTask) => task.childCount === null;

export async function settle(s: Session, finished: readonly Finished[]): Promise<void> {
  let wave = finished;
  while (wave.length > 0) {
    const jobs = await s.lockJobs(wave.map((item) => item.task.jobId));
    const next: Finished[] = [];
    const byParent = new Map<string, Finished[]>();
    const topLevel: Finished[] = [];
    for (const item of wave) {
      s.taskFinished(item.task, item.ok);
      const job = jobs.get(item.task.jobId);
      if (job === undefined || job.state !== 'RUNNING') continue; // cancelled or failed meanwhile
      const { spec } = item.task;
      if (!item.ok && item.retryable !== false && spec !== undefined && isLeaf(item.task) && mayRetry(spec.retry, item.task.attempt)) {
        await retry(s, job, { ...item.task, spec });
        continue;
      }
      const variable = item.task.variable;
      if (item.ok && variable && item.result) s.addOutput(job.id, variable, item.result);
      if (isLeaf(item.task)) s.countLeaves(job.id, 0, 1);
      if (item.task.parentId === null) topLevel.push(item);
      else {
        const siblings = byParent.get(item.task.parentId);
        if (siblings === undefined) byParent.set(item.task.parentId, [item]);
        else siblings.push(item);
      }
    }
    for (const [parentId, children] of byParent) next.push(...(await rollUp(s, jobs.get(children[0]!.task.jobId)!, parentId, children)));
    const executions = new Set<JobHead>();
    for (const item of topLevel) {
      const job = jobs.get(item.task.jobId)!;
      // A machine's tasks end in any order: the execution is replayed once for all of them.
      if (await isExecution(s, job)) executions.add(job);
      else if (job.state === 'RUNNING' && job.position === item.task.position) {
        next.push(...(item.ok ? await scheduleFrom(s, job, item.task.position + 1) : await failJob(s, job, item.error ?? 'task failed', item.task.position)));
      }
    }
    for (const job of executions) next.push(...(await advanceMachine(s, job)));
    wave = next;
  }
}

/** The record of a task's next attempt: the same place, definition and queue; SCHEDULED until changed. */
export function nextAttempt(task: SettledTask, spec: TaskDocument): NewTask {
  return {
    id: newId(),
    jobId: task.jobId,
    parentId: task.parentId,
    position: task.position,
    sequence: task.sequence,
    name: task.name,
    state: 'SCHEDULED',
    scheduledAt: new Date(),
    spec,
    queue: task.queue,
    priority: task.priority,
    attempt: task.attempt + 1,
    bindings: task.bindings,
  };
}

/** Another attempt of a failed task: a new record, queued after the backoff (or a new sub-job). */
async function retry(s: Session, job: JobHead, task: SettledTask & { readonly spec: TaskDocument }): Promise<void> {
  const attempt = s.addTask(nextAttempt(task, task.spec));
  const subjob = task.spec.subjob;
  if (subjob === undefined) {
    // Durable backoff: the record waits in the table until run_after, through restarts.
    attempt.runAfter = new Date(Date.now() + retryDelayMs(task.spec.retry!, task.attempt));
    s.announce(task.queue);
    return;
  }
  attempt.state = 'RUNNING';
  attempt.startedAt = new Date();
  await startSubjob(s, job, attempt.id, subjob);
}

/** Counts a batch of finished children on their parent; answers the parent if it finished too. */
async function rollUp(s: Session, job: JobHead, parentId: string, children: readonly Finished[]): Promise<Finished[]> {
  const failed = children.filter((child) => !child.ok);
  let parent = await countChildOutcomes(s.tx, parentId, children.length - failed.length, failed.length);
  if (parent === undefined) return []; // already failed or cancelled
  if (failed.length > 0 && parent.failFast) {
    const error = `${failed[0]!.task.name ?? 'a child task'}: ${failed[0]!.error ?? 'failed'}`;
    await updateTask(s.tx, parent.id, { state: 'FAILED', failedAt: new Date(), error });
    await cancelTree(s, parent.id);
    return [{ task: parent, ok: false, error }];
  }
  const total = parent.childCount ?? 0;
  if (parent.concurrency !== null && parent.completions + parent.failures < total) {
    const released = await releaseWaiting(s, job, parent, children.length);
    if (released.completions > 0 || released.failures > 0) {
      parent = (await countChildOutcomes(s.tx, parent.id, released.completions, released.failures)) ?? parent;
    }
    if (released.failFastError !== undefined) {
      await updateTask(s.tx, parent.id, { state: 'FAILED', failedAt: new Date(), error: released.failFastError });
      await cancelTree(s, parent.id);
      return [{ task: parent, ok: false, error: released.failFastError }];
    }
  }
  if (parent.completions + parent.failures < total) return [];
  if (parent.failures > 0) {
    const listed = await failedChildren(s.tx, parent.id, 5);
    const error = failureSummary(total, listed.map((child) => ({ name: child.name, error: child.error ?? 'failed' })), parent.failures);
    await updateTask(s.tx, parent.id, { state: 'FAILED', failedAt: new Date(), error });
    return [{ task: parent, ok: false, error }];
  }
  await updateTask(s.tx, parent.id, { state: 'COMPLETED', completedAt: new Date(), progress: 100 });
  return [{ task: parent, ok: true }];
}

/**
 * An each with a concurrency limit starts one waiting child for each child that finished, in list
 * order; a released child that finishes at once (skipped, say) makes room for the next.
 */
async function releaseWaiting(s: Session, job: JobHead, parent: ParentTally, slots: number): Promise<{ completions: number; failures: number; failFastError?: string }> {
  const { failFast } = parent;
  let completions = 0;
  let failures = 0;
  let room = slots;
  while (room > 0) {
    const waiting = await waitingChildren(s.tx, parent.id, room);
    if (waiting.length === 0) break;
    await deleteTasks(s.tx, waiting.map((child) => child.id));
    room = 0;
    for (const child of waiting) {
      const scope = scopeOfRecord(child, []);
      const started: Started = await startTask(s, job, child.spec, {
        position: parent.position,
        parentId: parent.id,
        sequence: child.sequence,
        scope,
        ...(scope.length > 0 ? { binding: scope[scope.length - 1]! } : {}),
        id: child.id,
        replaces: true,
        path: `tasks[${parent.position - 1}].each.task`,
      });
      if (started.kind === 'running') continue;
      room += 1;
      if (started.ok) {
        completions += 1;
        continue;
      }
      failures += 1;
      if (failFast) {
        // The children not reached stay waiting; cancelling the tree settles them.
        return { completions, failures, failFastError: `${started.name ?? 'a child task'}: ${started.error}` };
      }
    }
  }
  return { completions, failures };
}

/**
 * Creates the task record for top-level position `position` (and the ones after it that finish at
 * once) — or finishes the job when no task is left. Answers sub-job tasks that ended with the job.
 */
export async function scheduleFrom(s: Session, job: JobHead, position: number): Promise<Finished[]> {
  if (await isExecution(s, job)) return advanceMachine(s, job);
  const { document } = await s.body(job.id);
  for (let current = position; current <= job.taskCount; current += 1) {
    s.setJob(job, { position: current });
    const started = await startTask(s, job, document.tasks[current - 1]!, { position: current, parentId: null, sequence: 0, scope: [], path: `tasks[${current - 1}]` });
    if (started.kind === 'running') return [];
    if (!started.ok) return failJob(s, job, started.error, current);
  }
  return completeJob(s, job);
}

export async function completeJob(s: Session, job: JobHead): Promise<Finished[]> {
  let result: string | null = null;
  if (job.output !== null) {
    const rendered = evaluateTemplate(job.output, await s.environment(job));
    if (!rendered.ok) return failJob(s, job, `output: ${rendered.error.message} (in "${rendered.error.expression}")`, job.position);
    result = rendered.value;
  }
  s.setJob(job, { state: 'COMPLETED', completedAt: new Date(), progress: 100, result });
  const after = (await s.body(job.id)).document.autoDelete?.after;
  const parsed = after === undefined ? undefined : parseGoDuration(after);
  if (parsed?.ok) s.deleteJobLater(job.id, nanosToMillis(parsed.value));
  s.jobEnded(job.id, 'COMPLETED');
  return subjobEnded(s, job, true, result ?? '');
}

export async function failJob(s: Session, job: JobHead, error: string, position: number): Promise<Finished[]> {
  s.setJob(job, { state: 'FAILED', failedAt: new Date(), error, position });
  s.jobEnded(job.id, 'FAILED');
  await stopActiveTasks(s, job);
  return subjobEnded(s, job, false, error);
}

/** An attached sub-job ended: the task that started it ends with it (its output is the task's result). */
async function subjobEnded(s: Session, job: JobHead, ok: boolean, outcome: string): Promise<Finished[]> {
  if (job.parentId === null) return [];
  const at = new Date();
  if (ok) {
    const [task] = await completeTasks(s.tx, [{ id: job.parentId, result: outcome, at }]);
    return task ? [{ task, ok: true, result: outcome }] : [];
  }
  const error = `sub-job ${job.name} failed: ${outcome}`;
  const task = await failTask(s.tx, { id: job.parentId, error, at });
  return task ? [{ task, ok: false, error }] : [];
}
