export {
  createClient,
  documentMediaType,
  ok,
  TERMINAL_JOB_STATES,
  type ClientOptions,
  type Health,
  type Job,
  type JobInput,
  type JobState,
  type JobSummary,
  type ListOptions,
  type LogOptions,
  type LogPart,
  type Node,
  type Page,
  type QueueInfo,
  type ScheduledJob,
  type ScheduledJobInput,
  type ScheduledJobSummary,
  type Task,
  type Fired,
  type Firing,
  type FiringOptions,
  type Trigger,
  type TriggerInput,
  type TwerkApi,
  type TwerkClient,
  type WaitOptions,
} from './client.ts';
export { TwerkApiError, TwerkConnectionError, TwerkTimeoutError, type FieldError } from './errors.ts';
export { readLog, type LogSource, type ReadLogOptions } from './logs.ts';
export { allItems } from './pages.ts';
export { createTransport, type Auth, type RetryPolicy, type Transport, type TransportOptions } from './transport.ts';
