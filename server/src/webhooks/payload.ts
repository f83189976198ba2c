/**
 * The bodies webhooks get: the JobSummary (job events) or TaskSummary (task events) as the API shows
 * them — the same views, secrets redacted — built from the job's row and the snapshot the event took.
 */
import type { Redactor } from '../api/redact.ts';
import { jobSummaryView, taskSummaryView } from '../api/views.ts';
import type { JobRecord, JobState } from '../datastore/jobs.ts';
import type { TaskState } from '../datastore/tasks.ts';
import type { CapturedEvent } from './matching.ts';

type Snapshot = CapturedEvent['snapshot'];

function date(value: unknown): Date | null {
  return typeof value === 'string' || value instanceof Date ? new Date(value) : null;
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/** The JobSummary of `job` as the event's snapshot saw it (no snapshot: as the job stands). */
export function jobSummary(job: JobRecord, snapshot?: Snapshot) {
  if (snapshot === undefined) return jobSummaryView(job);
  return jobSummaryView({
    ...job,
    state: (textOrNull(snapshot['state']) ?? job.state) as JobState,
    position: numberOr(snapshot['position'], job.position),
    taskCount: numberOr(snapshot['taskCount'], job.taskCount),
    startedAt: date(snapshot['startedAt']),
    completedAt: date(snapshot['completedAt']),
    failedAt: date(snapshot['failedAt']),
    result: textOrNull(snapshot['result']),
    error: textOrNull(snapshot['error']),
    progress: numberOr(snapshot['progress'], job.progress),
  });
}

/** The TaskSummary a task event's snapshot holds, redacted with its job's secrets. */
export function taskSummary(snapshot: Snapshot, redact: Redactor) {
  const tags = snapshot['tags'];
  return taskSummaryView(
    {
      id: String(snapshot['id']),
      jobId: String(snapshot['jobId']),
      position: numberOr(snapshot['position'], 0),
      name: textOrNull(snapshot['name']),
      description: textOrNull(snapshot['description']),
      state: String(snapshot['state']) as TaskState,
      createdAt: date(snapshot['createdAt']) ?? new Date(0),
      scheduledAt: date(snapshot['scheduledAt']),
      startedAt: date(snapshot['startedAt']),
      completedAt: date(snapshot['completedAt']),
      result: textOrNull(snapshot['result']),
      error: textOrNull(snapshot['error']),
      exitCode: typeof snapshot['exitCode'] === 'number' ? snapshot['exitCode'] : null,
      progress: numberOr(snapshot['progress'], 0),
      var: textOrNull(snapshot['var']),
      tags: Array.isArray(tags) ? tags.map(String) : null,
    },
    redact,
  );
}
