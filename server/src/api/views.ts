/** Records as the wire shows them (research/tork.md §1): RFC 3339 times, empty fields omitted, secrets redacted. */
import type { JobRecord } from '../datastore/jobs.ts';
import type { LogPartRecord } from '../datastore/logs.ts';
import type { TaskRecord } from '../datastore/tasks.ts';
import { REDACTED, Redactor } from './redact.ts';

function time(value: Date | null | undefined): string | undefined {
  return value ? new Date(value).toISOString() : undefined;
}

/** Drops undefined, null and empty values, as Go's omitempty does. */
function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, item]) => item !== undefined && item !== null && item !== '' && !(Array.isArray(item) && item.length === 0) && !(typeof item === 'object' && !Array.isArray(item) && Object.keys(item as object).length === 0)),
  ) as T;
}

export function jobSummaryView(job: JobRecord) {
  const redact = new Redactor(job.secrets);
  return {
    ...compact({
      id: job.id,
      parentId: job.parentId,
      inputs: redact.map(job.inputs),
      name: job.name,
      description: job.description,
      tags: job.tags,
      state: job.state,
      startedAt: time(job.startedAt),
      completedAt: time(job.completedAt),
      failedAt: time(job.failedAt),
      taskCount: job.taskCount,
      result: redact.text(job.result),
      error: redact.text(job.error),
      progress: job.progress,
    }),
    createdAt: time(job.createdAt)!,
    position: job.position,
    ...(job.createdBy ? { createdBy: { id: job.createdBy, username: job.createdBy } } : {}),
  };
}

export function taskView(task: TaskRecord, redact: Redactor) {
  const spec = redact.tree(task.spec) as Record<string, unknown>;
  return compact({
    ...spec,
    id: task.id,
    jobId: task.jobId,
    parentId: task.parentId,
    position: task.position,
    name: task.name,
    state: task.state,
    createdAt: time(task.createdAt),
    scheduledAt: time(task.scheduledAt),
    startedAt: time(task.startedAt),
    completedAt: time(task.completedAt),
    failedAt: time(task.failedAt),
    queue: task.queue,
    priority: task.priority,
    nodeId: task.nodeId,
    result: redact.text(task.result),
    error: redact.text(task.error),
    exitCode: task.exitCode,
    progress: task.progress,
    retry: task.spec.retry ? { ...task.spec.retry, attempts: task.attempt - 1 } : undefined,
  });
}

/** The task fields of a TaskSummary (the task webhook payload), as a task's row holds them. */
export interface TaskSummaryRecord extends Pick<TaskRecord, 'id' | 'jobId' | 'position' | 'name' | 'state' | 'createdAt' | 'scheduledAt' | 'startedAt' | 'completedAt' | 'result' | 'error' | 'exitCode' | 'progress'> {
  readonly description?: string | null;
  readonly var?: string | null;
  readonly tags?: readonly string[] | null;
}

/** Tork's TaskSummary: a task without its definition. */
export function taskSummaryView(task: TaskSummaryRecord, redact: Redactor) {
  return compact({
    id: task.id,
    jobId: task.jobId,
    position: task.position,
    progress: task.progress,
    name: redact.text(task.name),
    description: redact.text(task.description),
    state: task.state,
    createdAt: time(task.createdAt),
    scheduledAt: time(task.scheduledAt),
    startedAt: time(task.startedAt),
    completedAt: time(task.completedAt),
    error: redact.text(task.error),
    exitCode: task.exitCode,
    result: redact.text(task.result),
    var: task.var ?? undefined,
    tags: task.tags ? task.tags.map((tag) => redact.text(tag)) : undefined,
  });
}

export function jobView(job: JobRecord, tasks: readonly TaskRecord[]) {
  const redact = new Redactor(job.secrets);
  const { secrets: _secrets, ...definition } = job.document;
  return {
    ...jobSummaryView(job),
    ...compact({
      output: job.output,
      defaults: definition.defaults,
      webhooks: definition.webhooks,
      secrets: Object.fromEntries(Object.keys(job.secrets).map((key) => [key, REDACTED])),
      context: compact({
        job: { id: job.id, name: job.name },
        inputs: redact.map(job.inputs),
        secrets: Object.fromEntries(Object.keys(job.secrets).map((key) => [key, REDACTED])),
        tasks: redact.map(job.context.tasks ?? {}),
      }),
    }),
    tasks: redact.tree(definition.tasks) as Record<string, unknown>[],
    execution: tasks.map((task) => taskView(task, redact)),
  };
}

export function logPartView(part: LogPartRecord, redact: Redactor) {
  return { id: part.id, number: part.number, taskId: part.taskId, contents: redact.text(part.contents), createdAt: time(part.createdAt)! };
}
