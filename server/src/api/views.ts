/** Records as the wire shows them (research/tork.md §1): RFC 3339 times, empty fields omitted, secrets redacted. */
import type { JobRecord } from '../datastore/jobs.ts';
import type { LogPartRecord } from '../datastore/logs.ts';
import type { ScheduledJobRecord } from '../datastore/scheduled-jobs.ts';
import type { TaskRecord } from '../datastore/tasks.ts';
import type { FiringRecord, TriggerRecord } from '../datastore/triggers.ts';
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
    ...(job.scheduleId ? { schedule: { id: job.scheduleId } } : {}),
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

function redactedKeys(secrets: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(secrets).map((key) => [key, REDACTED]));
}

export function scheduledJobSummaryView(schedule: ScheduledJobRecord) {
  const redact = new Redactor(schedule.secrets);
  return {
    ...compact({
      id: schedule.id,
      inputs: redact.map(schedule.inputs),
      name: schedule.name,
      description: schedule.description ?? undefined,
      tags: schedule.tags,
      timezone: schedule.timezone ?? undefined,
      nextRunAt: time(schedule.nextRunAt),
    }),
    state: schedule.state,
    cron: schedule.cron,
    createdAt: time(schedule.createdAt)!,
    ...(schedule.createdBy ? { createdBy: { id: schedule.createdBy, username: schedule.createdBy } } : {}),
  };
}

/** Unlike Tork's, secrets are redacted: the stored values reach the jobs a tick starts, never a reader. */
export function scheduledJobView(schedule: ScheduledJobRecord) {
  const redact = new Redactor(schedule.secrets);
  const document = schedule.document;
  return {
    ...scheduledJobSummaryView(schedule),
    ...compact({
      defaults: document.defaults,
      autoDelete: document.autoDelete,
      webhooks: document.webhooks,
      permissions: document.permissions,
      output: document.output,
      secrets: redactedKeys(schedule.secrets),
    }),
    tasks: redact.tree(document.tasks) as Record<string, unknown>[],
  };
}

/** A trigger with its secret hidden, and the secrets of the job it starts redacted. */
export function triggerView(trigger: TriggerRecord) {
  const { job, ...definition } = trigger.definition;
  const jobSecrets = (job?.['secrets'] ?? {}) as Record<string, string>;
  const redactedJob = job === undefined ? undefined : { ...(new Redactor(jobSecrets).tree(job) as Record<string, unknown>), ...(job['secrets'] !== undefined ? { secrets: redactedKeys(jobSecrets) } : {}) };
  return {
    id: trigger.id,
    ...definition,
    ...(redactedJob !== undefined ? { job: redactedJob } : {}),
    ...(trigger.secret !== null ? { secret: '[REDACTED]' as const } : {}),
    version: trigger.version,
    createdAt: time(trigger.createdAt)!,
    updatedAt: time(trigger.updatedAt)!,
    ...compact({ lastFiredAt: time(trigger.lastFiredAt), nextRunAt: time(trigger.nextRunAt) }),
  };
}

export function firingView(firing: FiringRecord) {
  return {
    id: firing.id,
    triggerId: firing.triggerId,
    firedAt: time(firing.firedAt)!,
    source: firing.source,
    ...compact({ jobId: firing.jobId ?? undefined, reason: firing.reason ?? undefined, idempotencyKey: firing.idempotencyKey ?? undefined }),
  };
}
