/** What the worker loop needs from a runtime: run one evaluated task and say how it ended. */
import type { TaskDocument } from '@twerk/contract';

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
