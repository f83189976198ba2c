/** What flows through the broker between the API, the coordinator and workers. */
export const QUEUES = {
  /** Job lifecycle commands for the coordinator. */
  jobs: 'twerk.jobs',
  /** Reports from workers about the tasks they run. */
  tasks: 'twerk.tasks',
  /** Tasks ready to run, per work queue (`default` or a task's `queue`). */
  work: (queue: string): string => `twerk.work.${queue}`,
} as const;

export type JobCommand = { readonly type: 'start'; readonly jobId: string };

export type TaskReport =
  | { readonly type: 'started'; readonly taskId: string; readonly nodeId: string }
  | { readonly type: 'completed'; readonly taskId: string; readonly result: string }
  | { readonly type: 'failed'; readonly taskId: string; readonly error: string; readonly exitCode?: number | null; readonly result?: string }
  | { readonly type: 'progress'; readonly taskId: string; readonly progress: number };

export interface WorkItem {
  readonly taskId: string;
}
