/**
 * Starting tasks: a task is evaluated where it is placed and recorded as what it becomes — a command
 * queued for a worker, a parallel or each expanded into children, a sub-job started — or as what it
 * ended as at once: skipped, an empty each, a detached sub-job, a template that did not evaluate.
 * Nothing here writes directly but sub-job records: the session batches the rest.
 */
import { eachBindings, evaluateExpression, evaluateTask, fromValue, isSkipped, type JobDocument, type TaskDocument } from '@twerk/contract';
import { newId } from '../datastore/ids.ts';
import { insertJob, type JobHead } from '../datastore/jobs.ts';
import type { EachBinding, NewTask, TaskRecord } from '../datastore/tasks.ts';
import { cancelTree } from './cancel.ts';
import { failureSummary, isFailFast, progressOf, withDefaults, type ChildFailure } from './plan.ts';
import type { Session } from './session.ts';

/** How starting a task went: it runs (or waits for its children), or it finished at once. */
export type Started =
  | { readonly kind: 'running' }
  | { readonly kind: 'finished'; readonly ok: true }
  | { readonly kind: 'finished'; readonly ok: false; readonly error: string; readonly name: string | null };

export const RUNNING: Started = { kind: 'running' };
export const FINISHED: Started = { kind: 'finished', ok: true };
export const failedWith = (error: string, name: string | null): Started => ({ kind: 'finished', ok: false, error, name });

/** An each binding as stored on a child: its own item, and those of the each loops around it. */
export interface StoredBinding extends EachBinding {
  readonly outer?: readonly EachBinding[];
}

/** Where a task goes: its top-level position, its composite parent, its order among siblings. */
export interface Placement {
  readonly position: number;
  readonly parentId: string | null;
  readonly sequence: number;
  /** The items of the each loops it sits in, outermost first (their names reach its templates). */
  readonly scope: readonly EachBinding[];
  /** Set for an each child: its own item (the last of `scope`). */
  readonly binding?: EachBinding;
  /** The record's id, when it takes over one (a released each child keeps its id). */
  readonly id?: string;
  /** It takes the place of a leaf already counted (a released placeholder, a restarted task). */
  readonly replaces?: boolean;
  /** Its templates were evaluated with its parent's (parallel children are evaluated once, at expansion). */
  readonly evaluated?: boolean;
  /** Where its definition sits in the job document, for error messages. */
  readonly path: string;
}

/** The names an each child's templates see: every enclosing item, inner names last. */
export function scopeNames(scope: readonly EachBinding[]): Record<string, unknown> {
  const names: Record<string, unknown> = {};
  for (const binding of scope) Object.assign(names, eachBindings(binding.variable, binding.index, binding.value));
  return names;
}

/** The scope of an each child's record, rebuilt from what it stored. */
export function scopeOfRecord(record: Pick<TaskRecord, 'bindings'>, inherited: readonly EachBinding[]): readonly EachBinding[] {
  const stored = record.bindings as StoredBinding | null;
  if (stored === null) return inherited;
  const { outer = [], variable, index, value } = stored;
  return [...outer, { variable, index, value }];
}

function storedBinding(at: Placement): StoredBinding | null {
  if (at.binding === undefined) return null;
  return { ...at.binding, outer: at.scope.slice(0, -1) };
}

function record(job: JobHead, spec: TaskDocument, at: Placement, id: string, fields: Partial<NewTask> & Pick<NewTask, 'state'>): NewTask {
  return {
    id,
    jobId: job.id,
    parentId: at.parentId,
    position: at.position,
    sequence: at.sequence,
    name: spec.name ?? null,
    spec,
    queue: spec.queue ?? 'default',
    priority: spec.priority ?? 0,
    attempt: 1,
    bindings: storedBinding(at),
    ...fields,
  };
}

/** A child that waits its turn (CREATED): evaluated only when a running sibling makes room. */
export function waitingRecord(job: JobHead, template: TaskDocument, at: Placement): NewTask {
  return record(job, template, at, at.id ?? newId(), { state: 'CREATED' });
}

/** Evaluates and records one task — a command, a parallel, an each or a sub-job — and queues what can run now. */
export async function startTask(s: Session, job: JobHead, template: TaskDocument, at: Placement): Promise<Started> {
  const body = await s.body(job.id);
  if (at.replaces) s.countLeaves(job.id, -1, 0);
  const definition = withDefaults(template, body.document.defaults);
  const id = at.id ?? newId();
  const now = new Date();
  let spec = definition;
  // A definition without templates evaluates to itself: no need to read the job context for it.
  if (!at.evaluated && JSON.stringify(definition).includes('{{')) {
    const evaluated = evaluateTask(definition, await s.environment(job, scopeNames(at.scope)));
    if (!evaluated.ok) {
      const where = evaluated.error.field === '' ? '' : `.${evaluated.error.field}`;
      const error = `${at.path}${where}: ${evaluated.error.message} (in "${evaluated.error.expression}")`;
      // Recorded FAILED, as Tork does, and never run with half-evaluated fields.
      s.addTask(record(job, definition, at, id, { state: 'FAILED', failedAt: now, error }));
      s.countLeaves(job.id, 1, 1);
      return failedWith(error, definition.name ?? null);
    }
    spec = evaluated.value;
  }
  if (isSkipped(spec.if)) {
    s.addTask(record(job, spec, at, id, { state: 'SKIPPED', scheduledAt: now, startedAt: now, completedAt: now }));
    s.countLeaves(job.id, 1, 1);
    return FINISHED;
  }
  if (spec.parallel) {
    const parent = s.addTask(record(job, spec, at, id, { state: 'RUNNING', scheduledAt: now, startedAt: now, childCount: spec.parallel.tasks.length }));
    const children = spec.parallel.tasks.map((child, index): Child => ({
      template: child,
      placement: { position: at.position, parentId: id, sequence: index, scope: at.scope, evaluated: true, path: `${at.path}.parallel.tasks[${index}]` },
    }));
    return settleExpansion(s, parent, await expand(s, job, parent.spec, children, Number.POSITIVE_INFINITY));
  }
  if (spec.each) {
    const list = await eachList(s, job, spec.each.list, at.scope);
    if (typeof list === 'string') {
      const error = `${at.path}.each.list: ${list}`;
      s.addTask(record(job, spec, at, id, { state: 'FAILED', failedAt: now, error }));
      s.countLeaves(job.id, 1, 1);
      return failedWith(error, spec.name ?? null);
    }
    const parent = s.addTask(record(job, spec, at, id, { state: 'RUNNING', scheduledAt: now, startedAt: now, childCount: list.length }));
    const variable = spec.each.var ?? 'item';
    const concurrency = spec.each.concurrency !== undefined && spec.each.concurrency > 0 ? spec.each.concurrency : Number.POSITIVE_INFINITY;
    const task = spec.each.task;
    const children = list.map((value, index): Child => {
      const binding = { variable, index, value };
      return { template: task, placement: { position: at.position, parentId: id, sequence: index, scope: [...at.scope, binding], binding, path: `${at.path}.each.task` } };
    });
    return settleExpansion(s, parent, await expand(s, job, parent.spec, children, concurrency));
  }
  if (spec.subjob) {
    const detached = spec.subjob.detached === true;
    s.addTask(record(job, spec, at, id, detached ? { state: 'COMPLETED', scheduledAt: now, startedAt: now, completedAt: now } : { state: 'RUNNING', scheduledAt: now, startedAt: now }));
    await startSubjob(s, job, id, spec.subjob);
    s.countLeaves(job.id, 1, detached ? 1 : 0);
    return detached ? FINISHED : RUNNING;
  }
  s.addTask(record(job, spec, at, id, { state: 'SCHEDULED', scheduledAt: now }));
  s.announce(spec.queue ?? 'default');
  s.countLeaves(job.id, 1, 0);
  return RUNNING;
}

/** A child of a composite about to be started (or recorded as waiting). */
export interface Child {
  readonly template: TaskDocument;
  readonly placement: Placement;
  /** How to start it, when not with startTask (a restart resumes children where they stopped). */
  readonly start?: () => Promise<Started>;
  /** It already finished well (a restart keeps completed children). */
  readonly done?: boolean;
}

export interface Expansion {
  readonly total: number;
  readonly completions: number;
  readonly failures: number;
  /** The first failure, when the composite is fail-fast: it fails with it. */
  readonly failFastError?: string;
  readonly failed: readonly ChildFailure[];
}

/**
 * Starts the children of a composite, at most `concurrency` of them running (the rest wait,
 * CREATED). A fail-fast composite stops starting children at the first that fails; the rest are
 * still recorded, waiting, so that a restart finds every item.
 */
export async function expand(s: Session, job: JobHead, parentSpec: TaskDocument, children: readonly Child[], concurrency: number): Promise<Expansion> {
  const failFast = isFailFast(parentSpec);
  let running = 0;
  let completions = 0;
  let failures = 0;
  let failFastError: string | undefined;
  const failed: ChildFailure[] = [];
  for (const child of children) {
    if (child.done) {
      completions += 1;
      continue;
    }
    if (failFastError !== undefined || running >= concurrency) {
      s.addTask(waitingRecord(job, child.template, child.placement));
      if (!child.placement.replaces) s.countLeaves(job.id, 1, 0);
      continue;
    }
    const started = child.start ? await child.start() : await startTask(s, job, child.template, child.placement);
    if (started.kind === 'running') running += 1;
    else if (started.ok) completions += 1;
    else {
      failures += 1;
      failed.push({ name: started.name, error: started.error });
      if (failFast) failFastError = `${started.name ?? 'a child task'}: ${started.error}`;
    }
  }
  return { total: children.length, completions, failures, failed, ...(failFastError !== undefined ? { failFastError } : {}) };
}

/** What a composite parent's record says after its expansion, and what that makes of the task. */
export function expansionOutcome(expansion: Expansion): { readonly state: 'RUNNING' | 'COMPLETED' | 'FAILED'; readonly error?: string; readonly progress: number } {
  const { total, completions, failures } = expansion;
  if (expansion.failFastError !== undefined) return { state: 'FAILED', error: expansion.failFastError, progress: progressOf(completions + failures, total) };
  if (completions + failures < total) return { state: 'RUNNING', progress: progressOf(completions + failures, total) };
  if (failures > 0) return { state: 'FAILED', error: failureSummary(total, expansion.failed, failures), progress: 100 };
  return { state: 'COMPLETED', progress: 100 };
}

async function settleExpansion(s: Session, parent: NewTask, expansion: Expansion): Promise<Started> {
  const outcome = expansionOutcome(expansion);
  parent.completions = expansion.completions;
  parent.failures = expansion.failures;
  parent.progress = outcome.progress;
  parent.state = outcome.state;
  if (outcome.state === 'RUNNING') return RUNNING;
  const now = new Date();
  if (outcome.state === 'COMPLETED') {
    parent.completedAt = now;
    // An empty composite counts as one finished leaf, so progress moves past it.
    if (expansion.total === 0) s.countLeaves(parent.jobId, 1, 1);
    return FINISHED;
  }
  parent.failedAt = now;
  parent.error = outcome.error ?? 'failed';
  if (expansion.failFastError !== undefined) await cancelTree(s, parent.id);
  return failedWith(parent.error, parent.name);
}

/** The items of an each: a literal list, or an expression that gives a list (or JSON text of one). */
async function eachList(s: Session, job: JobHead, list: unknown, scope: readonly EachBinding[]): Promise<unknown[] | string> {
  if (Array.isArray(list)) return list;
  const evaluated = evaluateExpression(String(list), await s.environment(job, scopeNames(scope)));
  if (!evaluated.ok) return `${evaluated.error.message} (in "${evaluated.error.expression}")`;
  let value: unknown = fromValue(evaluated.value);
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      // not JSON text: reported below as not a list
    }
  }
  return Array.isArray(value) ? value : `does not evaluate to a list (got ${JSON.stringify(value) ?? 'nothing'})`;
}

/** Starts a sub-job for a subjob task: attached ones report back when they end, detached ones do not. */
export async function startSubjob(s: Session, parent: JobHead, taskId: string, subjob: NonNullable<TaskDocument['subjob']>): Promise<string> {
  const id = newId();
  // Who may see a sub-job is who may see its parent (as in Tork).
  const { permissions } = (await s.body(parent.id)).document;
  const document = {
    name: subjob.name,
    tasks: subjob.tasks,
    ...(subjob.description !== undefined ? { description: subjob.description } : {}),
    ...(subjob.inputs !== undefined ? { inputs: subjob.inputs } : {}),
    ...(subjob.output !== undefined ? { output: subjob.output } : {}),
    ...(subjob.autoDelete !== undefined ? { autoDelete: subjob.autoDelete } : {}),
    ...(subjob.webhooks !== undefined ? { webhooks: subjob.webhooks } : {}),
    ...(permissions !== undefined ? { permissions } : {}),
  } as JobDocument;
  await insertJob(s.tx, {
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
  s.startJobLater(id);
  return id;
}
