/**
 * The coordinator: every transition of a job and its tasks happens here, in one transaction with the
 * messages it causes, and every handler is idempotent — a redelivered message finds the state already
 * moved and does nothing (DESIGN "Data flow" 2–5). Sequential tasks, parallel, each and sub-jobs.
 */
import { createEnvironment, eachBindings, evaluateExpression, evaluateTask, evaluateTemplate, fromValue, isSkipped, type JobDocument, type TaskDocument } from '@twerk/contract';
import type { Broker } from '../broker/broker.ts';
import type { Database, Queryable } from '../db/database.ts';
import { newId } from '../datastore/ids.ts';
import { insertJob, lockActiveSubjobs, lockJob, updateJob, type JobRecord } from '../datastore/jobs.ts';
import { cancelDescendants, deleteTask, insertTask, lockTask, nextWaitingChild, settleActiveTasks, updateTask, type TaskRecord } from '../datastore/tasks.ts';
import { QUEUES, type JobCommand, type TaskReport, type WorkItem } from './messages.ts';
import { mayRetry, progressOf, retryDelayMs, withDefaults } from './plan.ts';

export interface CoordinatorDeps {
  readonly db: Database;
  readonly broker: Broker;
}

function environment(job: JobRecord, extra: Readonly<Record<string, unknown>> = {}) {
  return createEnvironment({ inputs: job.inputs, secrets: job.secrets, tasks: job.context.tasks ?? {}, job: { id: job.id, name: job.name } }, extra);
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

/** Where a task sits: its top-level position, its composite parent, its order among siblings. */
interface Placement {
  readonly position: number;
  readonly parentId: string | null;
  readonly sequence: number;
  /** Names bound for its templates (an each item). */
  readonly extra: Readonly<Record<string, unknown>>;
  /** The each-loop binding that produced `extra`, kept for a child that waits its turn. */
  readonly bindings?: TaskRecord['bindings'];
}

/** How starting a task went: it runs (or waits), it finished at once (skipped, empty), or the job failed. */
type Started = 'running' | 'finished' | 'failed';

/**
 * Creates the task record for top-level position `position` (and the ones after it that finish at
 * once) — or finishes the job when no task is left.
 */
async function scheduleFrom(deps: CoordinatorDeps, tx: Queryable, job: JobRecord, position: number): Promise<void> {
  const tasks = job.document.tasks;
  for (let current = position; current <= tasks.length; current += 1) {
    await updateJob(tx, job.id, { position: current, progress: progressOf(current - 1, tasks.length) });
    const started = await startTask(deps, tx, job, tasks[current - 1]!, { position: current, parentId: null, sequence: 0, extra: {} }, `tasks[${current - 1}]`);
    if (started !== 'finished') return;
  }
  await completeJob(deps, tx, job);
}

function definitionOf(job: JobRecord, definition: TaskDocument): TaskDocument {
  return withDefaults(definition, job.document.defaults);
}

/** Evaluates and records one task — a command, a parallel or an each — and sends what can run now. */
async function startTask(deps: CoordinatorDeps, tx: Queryable, job: JobRecord, raw: TaskDocument, at: Placement, path: string): Promise<Started> {
  const definition = definitionOf(job, raw);
  const evaluated = evaluateTask(definition, environment(job, at.extra));
  if (!evaluated.ok) {
    const where = evaluated.error.field === '' ? '' : `.${evaluated.error.field}`;
    return failed(deps, tx, job, `${path}${where}: ${evaluated.error.message} (in "${evaluated.error.expression}")`, at.position);
  }
  const spec = evaluated.value;
  const id = newId();
  const now = new Date();
  const base = { id, jobId: job.id, parentId: at.parentId, position: at.position, sequence: at.sequence, name: spec.name, spec, queue: spec.queue ?? 'default', priority: spec.priority ?? 0, attempt: 1 };
  if (isSkipped(spec.if)) {
    await insertTask(tx, { ...base, state: 'SKIPPED', scheduledAt: now, completedAt: now });
    return 'finished';
  }
  if (spec.parallel) {
    const children = spec.parallel.tasks;
    await insertTask(tx, { ...base, state: 'RUNNING', scheduledAt: now, startedAt: now, childCount: children.length });
    let finishedAtOnce = 0;
    for (const [index, child] of children.entries()) {
      const started = await startTask(deps, tx, job, child, { position: at.position, parentId: id, sequence: index, extra: at.extra }, `${path}.parallel.tasks[${index}]`);
      if (started === 'failed') return 'failed';
      if (started === 'finished') finishedAtOnce += 1;
    }
    return settleStart(tx, id, finishedAtOnce, children.length);
  }
  if (spec.subjob) {
    const detached = spec.subjob.detached === true;
    await insertTask(tx, { ...base, state: detached ? 'COMPLETED' : 'RUNNING', scheduledAt: now, startedAt: now, ...(detached ? { completedAt: now } : {}) });
    await startSubjob(deps, tx, job, id, spec.subjob);
    return detached ? 'finished' : 'running';
  }
  if (spec.each) {
    const list = eachList(spec.each.list, job, at.extra);
    if (typeof list === 'string') return failed(deps, tx, job, `${path}.each.list: ${list}`, at.position);
    await insertTask(tx, { ...base, state: 'RUNNING', scheduledAt: now, startedAt: now, childCount: list.length });
    const variable = spec.each.var ?? 'item';
    const concurrency = spec.each.concurrency && spec.each.concurrency > 0 ? spec.each.concurrency : list.length;
    let finishedAtOnce = 0;
    for (const [index, item] of list.entries()) {
      const bindings = { variable, index, value: item };
      const placement = { position: at.position, parentId: id, sequence: index, extra: { ...at.extra, ...eachBindings(variable, index, item) }, bindings };
      if (index < concurrency + finishedAtOnce) {
        const started = await startTask(deps, tx, job, spec.each.task, placement, `${path}.each.task`);
        if (started === 'failed') return 'failed';
        if (started === 'finished') finishedAtOnce += 1;
      } else {
        // Waits its turn: released, and only then evaluated, when a running sibling finishes.
        await insertTask(tx, { id: newId(), jobId: job.id, parentId: id, position: at.position, sequence: index, name: spec.each.task.name, spec: spec.each.task, queue: 'default', priority: 0, attempt: 1, state: 'CREATED', scheduledAt: null, bindings });
      }
    }
    return settleStart(tx, id, finishedAtOnce, list.length);
  }
  await insertTask(tx, { ...base, state: 'SCHEDULED', scheduledAt: now });
  await sendWork(deps, tx, id, spec);
  return 'running';
}

/** A composite whose children all finished while it was being started is itself finished. */
async function settleStart(tx: Queryable, id: string, finishedAtOnce: number, total: number): Promise<Started> {
  if (finishedAtOnce >= total) {
    await updateTask(tx, id, { state: 'COMPLETED', completedAt: new Date(), completions: total, progress: 100 });
    return 'finished';
  }
  if (finishedAtOnce > 0) await updateTask(tx, id, { completions: finishedAtOnce });
  return 'running';
}

/** The items of an each: a literal list, or an expression that gives a list (or JSON text of one). */
function eachList(list: unknown, job: JobRecord, extra: Readonly<Record<string, unknown>>): unknown[] | string {
  if (Array.isArray(list)) return list;
  const evaluated = evaluateExpression(String(list), environment(job, extra));
  if (!evaluated.ok) return `${evaluated.error.message} (in "${evaluated.error.expression}")`;
  let value: unknown = fromValue(evaluated.value);
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      // not JSON text: reported below as not a list
    }
  }
  return Array.isArray(value) ? value : `does not evaluate to a list (got ${typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? 'nothing'})`;
}

async function failed(deps: CoordinatorDeps, tx: Queryable, job: JobRecord, error: string, position: number): Promise<'failed'> {
  await failJob(deps, tx, job, error, position);
  return 'failed';
}

/**
 * A task finished (ok or not, retries exhausted): its composite parent counts it and may finish in
 * turn, and a top-level task moves the job on or fails it.
 */
async function taskFinished(deps: CoordinatorDeps, tx: Queryable, job: JobRecord, task: TaskRecord, ok: boolean, error?: string): Promise<void> {
  if (task.parentId === null) {
    if (ok) await scheduleFrom(deps, tx, job, task.position + 1);
    else await failJob(deps, tx, job, error ?? 'task failed', task.position);
    return;
  }
  const parent = await lockTask(tx, task.parentId);
  if (parent === undefined || parent.state !== 'RUNNING') return; // already failed or cancelled
  if (!ok) {
    // Fail fast: the parent fails with its child, and the siblings still running are stopped.
    const message = `${task.name ?? 'a child task'}: ${error ?? 'failed'}`;
    await updateTask(tx, parent.id, { state: 'FAILED', failedAt: new Date(), error: message });
    await cancelDescendants(tx, parent.id);
    await taskFinished(deps, tx, job, parent, false, message);
    return;
  }
  let completions = parent.completions + 1;
  const total = parent.childCount ?? 0;
  // An each with a concurrency limit releases its next waiting child for each one that finishes.
  for (let waiting = await nextWaitingChild(tx, parent.id); waiting !== undefined; waiting = await nextWaitingChild(tx, parent.id)) {
    await deleteTask(tx, waiting.id);
    const binding = waiting.bindings!;
    const extra = eachBindings(binding.variable, binding.index, binding.value);
    const started = await startTask(deps, tx, job, waiting.spec, { position: parent.position, parentId: parent.id, sequence: waiting.sequence, extra, bindings: binding }, `tasks[${parent.position - 1}].each.task`);
    if (started === 'failed') return;
    if (started === 'running') break;
    completions += 1;
  }
  if (completions >= total) {
    await updateTask(tx, parent.id, { state: 'COMPLETED', completedAt: new Date(), completions, progress: 100 });
    await taskFinished(deps, tx, job, { ...parent, completions }, true);
  } else {
    await updateTask(tx, parent.id, { completions, progress: Math.round((completions / Math.max(1, total)) * 10_000) / 100 });
  }
}

async function sendWork(deps: CoordinatorDeps, tx: Queryable, taskId: string, spec: TaskDocument, startAfterMs?: number): Promise<void> {
  const queue = QUEUES.work(spec.queue ?? 'default');
  await deps.broker.ensureQueue(queue, { retryLimit: 5, expireInSeconds: 24 * 60 * 60 });
  await deps.broker.send(tx, queue, { taskId } satisfies WorkItem, {
    priority: spec.priority ?? 0,
    ...(startAfterMs !== undefined && startAfterMs > 0 ? { startAfter: new Date(Date.now() + startAfterMs) } : {}),
  });
}

async function completeJob(deps: CoordinatorDeps, tx: Queryable, job: JobRecord): Promise<void> {
  let result: string | null = null;
  if (job.output !== null) {
    const rendered = evaluateTemplate(job.output, environment(job));
    if (!rendered.ok) return failJob(deps, tx, job, `output: ${rendered.error.message} (in "${rendered.error.expression}")`, job.position);
    result = rendered.value;
  }
  await updateJob(tx, job.id, { state: 'COMPLETED', completedAt: new Date(), progress: 100, result });
  await subjobEnded(deps, tx, job, true, result ?? '');
}

async function failJob(deps: CoordinatorDeps, tx: Queryable, job: JobRecord, error: string, position: number): Promise<void> {
  await updateJob(tx, job.id, { state: 'FAILED', failedAt: new Date(), error, position });
  await subjobEnded(deps, tx, job, false, error);
}

/** An attached sub-job ended: the task that started it ends with it (its output is the task's result). */
async function subjobEnded(deps: CoordinatorDeps, tx: Queryable, job: JobRecord, ok: boolean, outcome: string): Promise<void> {
  if (job.parentId === null) return;
  const task = await lockTask(tx, job.parentId);
  if (task === undefined || task.state !== 'RUNNING') return;
  const now = new Date();
  await updateTask(tx, task.id, ok ? { state: 'COMPLETED', completedAt: now, result: outcome, progress: 100 } : { state: 'FAILED', failedAt: now, error: outcome });
  const parentJob = await lockJob(tx, task.jobId);
  if (parentJob === undefined || parentJob.state !== 'RUNNING') return;
  const variable = task.spec.var;
  const context = ok && variable ? { ...parentJob.context, tasks: { ...parentJob.context.tasks, [variable]: outcome } } : parentJob.context;
  if (ok && variable) await updateJob(tx, parentJob.id, { context });
  await taskFinished(deps, tx, { ...parentJob, context }, task, ok, ok ? undefined : `sub-job ${job.name} failed: ${outcome}`);
}

/** Starts a sub-job for a subjob task: attached ones report back through subjobEnded, detached ones do not. */
async function startSubjob(deps: CoordinatorDeps, tx: Queryable, parent: JobRecord, taskId: string, subjob: NonNullable<TaskDocument['subjob']>): Promise<void> {
  const id = newId();
  const document = { name: subjob.name, tasks: subjob.tasks, ...(subjob.description !== undefined ? { description: subjob.description } : {}), ...(subjob.inputs !== undefined ? { inputs: subjob.inputs } : {}), ...(subjob.output !== undefined ? { output: subjob.output } : {}), ...(subjob.autoDelete !== undefined ? { autoDelete: subjob.autoDelete } : {}) } as JobDocument;
  await insertJob(tx, {
    id,
    parentId: subjob.detached ? null : taskId,
    name: subjob.name,
    description: subjob.description ?? null,
    tags: [],
    state: 'PENDING',
    createdBy: parent.createdBy,
    position: 0,
    taskCount: subjob.tasks.length,
    document,
    inputs: { ...(subjob.inputs ?? {}) },
    secrets: { ...(subjob.secrets ?? {}) },
    context: { tasks: {} },
    output: subjob.output ?? null,
  });
  await deps.broker.send(tx, QUEUES.jobs, { type: 'start', jobId: id } satisfies JobCommand);
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
        await taskFinished(deps, tx, { ...job, context }, task, true);
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
            sequence: task.sequence,
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
        await taskFinished(deps, tx, job, task, false, report.error);
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
    await cancelWithSubjobs(tx, jobId);
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

/** Cancels a job, its active tasks and, through them, its attached sub-jobs at any depth. */
async function cancelWithSubjobs(tx: Queryable, jobId: string): Promise<void> {
  await updateJob(tx, jobId, { state: 'CANCELLED', completedAt: new Date() });
  const tasks = await settleActiveTasks(tx, jobId, 'CANCELLED');
  if (tasks.length === 0) return;
  for (const child of await lockActiveSubjobs(tx, tasks)) await cancelWithSubjobs(tx, child);
}
