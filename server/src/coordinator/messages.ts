/** What flows through the broker, and the notification channels, between the API, the coordinator and workers. */
export const QUEUES = {
  /** Job lifecycle commands for the coordinator. */
  jobs: 'twerk.jobs',
  /** Reports from workers about the tasks they run. */
  tasks: 'twerk.tasks',
} as const;

export const CHANNELS = {
  /** Payload: a work queue's name. Sent when tasks became ready on it (the task records are the queue). */
  work: 'twerk_work',
  /** Payload: `<job id> <state>`. Sent when a job reaches COMPLETED, FAILED or CANCELLED. */
  jobs: 'twerk_jobs',
} as const;

export type JobCommand = { readonly type: 'start'; readonly jobId: string };

/**
 * `at`: when the worker saw it happen (milliseconds since the epoch). `leaseId`: an HTTP worker's
 * report, which counts only while that lease is the task's and live.
 */
export type TaskReport =
  | { readonly type: 'started'; readonly taskId: string; readonly nodeId: string }
  | { readonly type: 'completed'; readonly taskId: string; readonly result: string; readonly at?: number; readonly leaseId?: string; readonly outputs?: Readonly<Record<string, string>> }
  | {
      readonly type: 'failed';
      readonly taskId: string;
      readonly error: string;
      readonly exitCode?: number | null;
      readonly result?: string;
      readonly at?: number;
      readonly leaseId?: string;
      /** false: do not retry, whatever the task's retry allows (an HTTP worker's permanent failure). */
      readonly retryable?: boolean;
    }
  | { readonly type: 'progress'; readonly taskId: string; readonly progress: number };
