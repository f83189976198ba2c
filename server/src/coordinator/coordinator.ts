/**
 * The coordinator: every transition of a job and its tasks happens here, in one transaction with the
 * messages it causes, and every handler is idempotent — a redelivered message finds the state already
 * moved and does nothing (DESIGN "Data flow" 2–5). Sequential jobs; composites come next.
 */
import { createEnvironment, evaluateTask, evaluateTemplate, isSkipped, type JobDocument, type TaskDocument } from '@twerk/contract';
import type { Broker } from '../broker/broker.ts';
import type { Database, Queryable } from '../db/database.ts';
import { newId } from '../datastore/ids.ts';
import { insertJob, lockJob, updateJob, type JobRecord } from '../datastore/jobs.ts';
import { insertTask, lockTask, settleActiveTasks, updateTask } from '../datastore/tasks.ts';
import { QUEUES, type JobCommand, type TaskReport, type WorkItem } from './messages.ts';
import { mayRetry, progressOf, retryDelayMs, unsupportedComposite, withDefaults } from './plan.ts';

export interface CoordinatorDeps {
  readonly db: Database;
  readonly broker: Broker;
}

function environment(job: JobRecord) {
  return createEnvironment({ inputs: job.inputs, secrets: job.secrets, tasks: job.context.tasks ?? {}, job: { id: job.id, name: job.name } });
}

/** Stores a validated job and queues its start, atomically. */
export async function submitJob(deps: CoordinatorDeps, document: JobDocument, createdBy: string | null = null): Promise<string> {
  const id = newId();
  const { secrets = {}, inputs = {} } = document;
  await deps.db.transaction(async (tx) => {
    await insertJob(tx, {
      id,
      parentId: null,
      name: document.name,
      description: document.description ?? null,
      tags: [...(document.tags ?? [])],
      state: 'PENDING',
      createdBy,
      position: 0,
      taskCount: document.tasks.length,
      // Secrets are kept in their own column only, so the stored definition never carries them.
      document: { ...document, secrets: undefined } as JobDocument,
      inputs: { ...inputs },
      secrets: { ...secrets },
      context: { tasks: {} },
      output: document.output ?? null,
    });
    await deps.broker.send(tx, QUEUES.jobs, { type: 'start', jobId: id } satisfies JobCommand);
  });
  return id;
}

export async function handleJobCommand(deps: CoordinatorDeps, command: JobCommand): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const job = await lockJob(tx, command.jobId);
    if (job === undefined || job.state !== 'PENDING') return; // deleted, or already started: a redelivery
    const started = { ...job, state: 'RUNNING' as const, startedAt: new Date() };
    await updateJob(tx, job.id, { state: 'RUNNING', startedAt: started.startedAt });
    await scheduleFrom(deps, tx, started, 1);
  });
}

/**
 * Creates the task record for top-level position `position` (and the ones after it that `if` skips)
 * and sends it to its work queue — or finishes the job when no task is left.
 */
async function scheduleFrom(deps: CoordinatorDeps, tx: Queryable, job: JobRecord, position: number): Promise<void> {
  const tasks = job.document.tasks;
  for (let current = position; current <= tasks.length; current += 1) {
    const definition = withDefaults(tasks[current - 1]!, job.document.defaults);
    const unsupported = unsupportedComposite(definition);
    if (unsupported !== undefined) return failJob(tx, job, `tasks[${current - 1}]: ${unsupported}`, current);
    const evaluated = evaluateTask(definition, environment(job));
    if (!evaluated.ok) {
      const where = evaluated.error.field === '' ? '' : `.${evaluated.error.field}`;
      return failJob(tx, job, `tasks[${current - 1}]${where}: ${evaluated.error.message} (in "${evaluated.error.expression}")`, current);
    }
    const spec = evaluated.value;
    const skipped = isSkipped(spec.if);
    const id = newId();
    const now = new Date();
    await insertTask(tx, {
      id,
      jobId: job.id,
      parentId: null,
      position: current,
      name: spec.name,
      state: skipped ? 'SKIPPED' : 'SCHEDULED',
      scheduledAt: now,
      spec,
      queue: spec.queue ?? 'default',
      priority: spec.priority ?? 0,
      attempt: 1,
      ...(skipped ? { completedAt: now } : {}),
    });
    if (skipped) continue;
    await updateJob(tx, job.id, { position: current, progress: progressOf(current - 1, tasks.length) });
    await sendWork(deps, tx, id, spec);
    return;
  }
  await completeJob(tx, job);
}

async function sendWork(deps: CoordinatorDeps, tx: Queryable, taskId: string, spec: TaskDocument, startAfterMs?: number): Promise<void> {
  const queue = QUEUES.work(spec.queue ?? 'default');
  await deps.broker.ensureQueue(queue, { retryLimit: 5, expireInSeconds: 24 * 60 * 60 });
  await deps.broker.send(tx, queue, { taskId } satisfies WorkItem, {
    priority: spec.priority ?? 0,
    ...(startAfterMs !== undefined && startAfterMs > 0 ? { startAfter: new Date(Date.now() + startAfterMs) } : {}),
  });
}

async function completeJob(tx: Queryable, job: JobRecord): Promise<void> {
  let result: string | null = null;
  if (job.output !== null) {
    const rendered = evaluateTemplate(job.output, environment(job));
    if (!rendered.ok) return failJob(tx, job, `output: ${rendered.error.message} (in "${rendered.error.expression}")`, job.position);
    result = rendered.value;
  }
  await updateJob(tx, job.id, { state: 'COMPLETED', completedAt: new Date(), progress: 100, result });
}

async function failJob(tx: Queryable, job: JobRecord, error: string, position: number): Promise<void> {
  await updateJob(tx, job.id, { state: 'FAILED', failedAt: new Date(), error, position });
}

export async function handleTaskReport(deps: CoordinatorDeps, report: TaskReport): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const task = await lockTask(tx, report.taskId);
    if (task === undefined) return;
    const active = task.state === 'SCHEDULED' || task.state === 'RUNNING';
    switch (report.type) {
      case 'started':
        if (task.state === 'SCHEDULED') await updateTask(tx, task.id, { state: 'RUNNING', startedAt: new Date(), nodeId: report.nodeId });
        return;
      case 'progress':
        if (active) await updateTask(tx, task.id, { progress: Math.min(100, Math.max(0, report.progress)) });
        return;
      case 'completed': {
        if (!active) return;
        await updateTask(tx, task.id, { state: 'COMPLETED', completedAt: new Date(), result: report.result, progress: 100 });
        const job = await lockJob(tx, task.jobId);
        if (job === undefined || job.state !== 'RUNNING') return; // cancelled or failed meanwhile
        const variable = task.spec.var;
        const context = variable ? { ...job.context, tasks: { ...job.context.tasks, [variable]: report.result } } : job.context;
        if (variable) await updateJob(tx, job.id, { context });
        await scheduleFrom(deps, tx, { ...job, context }, task.position + 1);
        return;
      }
      case 'failed': {
        if (!active) return;
        await updateTask(tx, task.id, { state: 'FAILED', failedAt: new Date(), error: report.error, exitCode: report.exitCode ?? null, ...(report.result !== undefined ? { result: report.result } : {}) });
        const job = await lockJob(tx, task.jobId);
        if (job === undefined || job.state !== 'RUNNING') return;
        if (mayRetry(task.spec.retry, task.attempt)) {
          const retryId = newId();
          await insertTask(tx, {
            id: retryId,
            jobId: task.jobId,
            parentId: task.parentId,
            position: task.position,
            name: task.name,
            state: 'SCHEDULED',
            scheduledAt: new Date(),
            spec: task.spec,
            queue: task.queue,
            priority: task.priority,
            attempt: task.attempt + 1,
          });
          await sendWork(deps, tx, retryId, task.spec, retryDelayMs(task.spec.retry!, task.attempt));
          return;
        }
        await failJob(tx, job, report.error, task.position);
        return;
      }
    }
  });
}

/** Cancels an active job: its tasks are marked CANCELLED, which workers running them notice and stop. */
export async function cancelJob(deps: CoordinatorDeps, jobId: string): Promise<'cancelled' | 'not-found' | 'not-active'> {
  return deps.db.transaction(async (tx) => {
    const job = await lockJob(tx, jobId);
    if (job === undefined) return 'not-found';
    if (job.state !== 'PENDING' && job.state !== 'SCHEDULED' && job.state !== 'RUNNING') return 'not-active';
    await updateJob(tx, jobId, { state: 'CANCELLED', completedAt: new Date() });
    await settleActiveTasks(tx, jobId, 'CANCELLED');
    return 'cancelled';
  });
}

/** Resumes a FAILED or CANCELLED job at the task it stopped on. */
export async function restartJob(deps: CoordinatorDeps, jobId: string): Promise<'restarted' | 'not-found' | 'not-restartable' | 'nothing-to-run'> {
  return deps.db.transaction(async (tx) => {
    const job = await lockJob(tx, jobId);
    if (job === undefined) return 'not-found';
    if (job.state !== 'FAILED' && job.state !== 'CANCELLED') return 'not-restartable';
    const position = Math.max(1, job.position);
    if (position > job.taskCount) return 'nothing-to-run';
    const running = { ...job, state: 'RUNNING' as const, error: null, failedAt: null, completedAt: null };
    await updateJob(tx, jobId, { state: 'RUNNING', error: null, failedAt: null, completedAt: null });
    await scheduleFrom(deps, tx, running, position);
    return 'restarted';
  });
}
