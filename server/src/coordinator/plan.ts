/**
 * Pure scheduling decisions, separated from I/O so they are testable without a database: how job
 * defaults apply to a task, how long a retry waits, how far along a job is.
 */
import { nanosToMillis, parseGoDuration, type JobDocument, type TaskDocument } from '@twerk/contract';

/** Job `defaults` fill what a task leaves unset (research/tork.md §2.9). */
export function withDefaults(task: TaskDocument, defaults: JobDocument['defaults']): TaskDocument {
  if (defaults === undefined) return task;
  return {
    ...task,
    ...(task.queue === undefined && defaults.queue !== undefined ? { queue: defaults.queue } : {}),
    ...(task.priority === undefined && defaults.priority !== undefined ? { priority: defaults.priority } : {}),
    ...(task.timeout === undefined && defaults.timeout !== undefined ? { timeout: defaults.timeout } : {}),
    ...(task.retry === undefined && defaults.retry !== undefined ? { retry: defaults.retry } : {}),
    ...(task.limits === undefined && defaults.limits !== undefined ? { limits: defaults.limits } : {}),
  };
}

function millis(duration: string | undefined, fallback: number): number {
  if (duration === undefined) return fallback;
  const parsed = parseGoDuration(duration);
  return parsed.ok ? nanosToMillis(parsed.value) : fallback;
}

export const RETRY_DEFAULTS = { initialDelayMs: 1_000, scalingFactor: 2, maxDelayMs: 5 * 60_000 } as const;

/**
 * The wait before attempt `attempt + 1`, after `attempt` attempts failed: initialDelay ×
 * scalingFactor^(attempt−1), capped at maxDelay — the backoff Tork's docs promise.
 */
export function retryDelayMs(retry: NonNullable<TaskDocument['retry']>, attempt: number): number {
  const initial = millis(retry.initialDelay, RETRY_DEFAULTS.initialDelayMs);
  const factor = retry.scalingFactor ?? RETRY_DEFAULTS.scalingFactor;
  const max = millis(retry.maxDelay, RETRY_DEFAULTS.maxDelayMs);
  return Math.min(max, initial * factor ** Math.max(0, attempt - 1));
}

/** Whether another attempt is allowed after `attempt` attempts (`limit` counts retries, not runs). */
export function mayRetry(retry: TaskDocument['retry'], attempt: number): boolean {
  return retry !== undefined && attempt <= retry.limit;
}

/** A share as a percentage with two decimals (Tork's round2). */
export function progressOf(finished: number, total: number): number {
  return total === 0 ? 100 : Math.round((finished / total) * 10_000) / 100;
}

/** Whether a parallel or each fails as soon as one child fails (the default) or lets every child finish. */
export function isFailFast(task: TaskDocument): boolean {
  return (task.parallel?.failFast ?? task.each?.failFast) !== false;
}

export interface ChildFailure {
  readonly name: string | null;
  readonly error: string;
}

/** The error of a composite that let all its children finish: how many failed, and which. */
export function failureSummary(total: number, failed: readonly ChildFailure[], failedCount = failed.length): string {
  const shown = failed.slice(0, 5).map((child) => `${child.name ?? 'a task'}: ${child.error}`);
  const more = failedCount > shown.length ? `; and ${failedCount - shown.length} more` : '';
  return `${failedCount} of ${total} tasks failed: ${shown.join('; ')}${more}`;
}

export function timeoutMs(task: TaskDocument): number | undefined {
  return task.timeout === undefined ? undefined : millis(task.timeout, 0) || undefined;
}
