/** What the worker loop needs from a runtime: run one evaluated task and say how it ended. */
import type { TaskDocument } from '@twerk/contract';
import type { TaskOutcome } from '@twerk/worker';

export type RunOutcome =
  | { readonly status: 'completed'; readonly result: string }
  | { readonly status: 'failed'; readonly error: string; readonly exitCode?: number | null; readonly result?: string }
  | { readonly status: 'timed_out'; readonly error: string }
  | { readonly status: 'cancelled' };

export interface RunHooks {
  onLog(chunk: { readonly stream: 'stdout' | 'stderr'; readonly data: string }): void | Promise<void>;
  onProgress(percent: number): void | Promise<void>;
}

export interface TaskRunner {
  run(task: { readonly taskId: string; readonly jobId: string; readonly spec: TaskDocument }, hooks: RunHooks, signal: AbortSignal): Promise<RunOutcome>;
}

/** A runtime's outcome as the worker loop reports it (a completed task's exit code, always 0, is dropped). */
export function runOutcome(outcome: TaskOutcome): RunOutcome {
  return outcome.status === 'completed' ? { status: 'completed', result: outcome.result } : outcome;
}

/** Only the fields that are set: the runtimes tell a field left out from one given as undefined. */
export function definedFields<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
