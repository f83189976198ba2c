/**
 * Which webhooks an event fires (research/tork.md §2.16): by the webhook's `event`, then by its `if`,
 * evaluated with the summaries the receiver would get. Pure: no database, no network.
 */
import { createEnvironment, evaluateExpression, type Environment, type JobDocument, type WEBHOOK_EVENTS } from '@twerk/contract';

export type Webhook = NonNullable<JobDocument['webhooks']>[number];
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** A change the triggers captured: a job's (taskId null) or a task's, with the state it left. */
export interface CapturedEvent {
  /** The event's place in the outbox: deliveries of one webhook go out in this order. */
  readonly seq: string;
  readonly jobId: string;
  readonly taskId: string | null;
  /** null when the row was just inserted. */
  readonly previousState: string | null;
  readonly state: string;
  readonly stateChanged: boolean;
  readonly progressChanged: boolean;
  /** The summary fields that change, as the statement left them (times as ISO text). */
  readonly snapshot: Readonly<Record<string, unknown>>;
}

const ACTIVE_JOB = new Set(['SCHEDULED', 'RUNNING']);

/** The job began running: it left PENDING (even straight to its end), or a restart took it back up. */
function jobStarted(event: CapturedEvent): boolean {
  if (event.state === 'SCHEDULED' || (event.state === 'RUNNING' && !ACTIVE_JOB.has(event.previousState ?? ''))) return true;
  return event.previousState === 'PENDING' && event.state !== 'PENDING' && event.state !== 'CANCELLED';
}

/**
 * Whether a webhook listening for `listening` (absent: job.StateChange) hears this event. Progress
 * is news only within a state: a state change carries its progress in its own payload, so it is
 * reported once, as the state change. Job webhooks never hear task events, nor task webhooks job ones.
 */
export function hears(listening: WebhookEvent | undefined, event: CapturedEvent): boolean {
  const name = listening ?? 'job.StateChange';
  const isTask = event.taskId !== null;
  if (name.startsWith('task.') !== isTask) return false;
  const { stateChanged, state } = event;
  switch (name) {
    case 'job.StateChange':
    case 'task.StateChange':
      return stateChanged;
    case 'job.Progress':
    case 'task.Progress':
      return event.progressChanged && !stateChanged;
    case 'job.Scheduled':
      return stateChanged && jobStarted(event);
    case 'job.Completed':
    case 'task.Completed':
      return stateChanged && state === 'COMPLETED';
    case 'job.Failed':
    case 'task.Failed':
      return stateChanged && state === 'FAILED';
    case 'job.Cancelled':
      return stateChanged && state === 'CANCELLED';
    case 'task.Started':
      return stateChanged && state === 'RUNNING';
  }
  return false;
}

/** Go's names for JobSummary's fields (tork's `job.State`), beside the wire's (`job.state`). */
const JOB_GO_NAMES: Readonly<Record<string, string>> = {
  id: 'ID', createdBy: 'CreatedBy', parentId: 'ParentID', inputs: 'Inputs', name: 'Name', description: 'Description', tags: 'Tags',
  state: 'State', createdAt: 'CreatedAt', startedAt: 'StartedAt', completedAt: 'CompletedAt', failedAt: 'FailedAt', position: 'Position',
  taskCount: 'TaskCount', result: 'Result', error: 'Error', progress: 'Progress', schedule: 'Schedule',
};
const TASK_GO_NAMES: Readonly<Record<string, string>> = {
  id: 'ID', jobId: 'JobID', position: 'Position', progress: 'Progress', name: 'Name', description: 'Description', state: 'State',
  createdAt: 'CreatedAt', scheduledAt: 'ScheduledAt', startedAt: 'StartedAt', completedAt: 'CompletedAt', error: 'Error',
  exitCode: 'ExitCode', result: 'Result', var: 'Var', tags: 'Tags',
};
/** Go's zero values of the fields the wire omits when empty, so `job.Result == ''` holds as it does in Tork. */
const ZERO: Readonly<Record<string, unknown>> = {
  id: '', parentId: '', name: '', description: '', state: '', result: '', error: '', var: '', jobId: '',
  position: 0, taskCount: 0, progress: 0, exitCode: 0, tags: [], inputs: {},
};

function bothSpellings(summary: Readonly<Record<string, unknown>>, goNames: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, goName] of Object.entries(goNames)) {
    const value = summary[field] ?? ZERO[field] ?? null;
    out[field] = value;
    out[goName] = field === 'createdBy' && value !== null && typeof value === 'object' ? { ...value, Username: (value as { username?: unknown }).username } : value;
  }
  return out;
}

/** What a webhook's `if` sees: `job` (and `task` for a task event), by wire and by Go field names. */
export function ifEnvironment(job: Readonly<Record<string, unknown>>, task?: Readonly<Record<string, unknown>>): Environment {
  return createEnvironment({}, { job: bothSpellings(job, JOB_GO_NAMES), ...(task !== undefined ? { task: bothSpellings(task, TASK_GO_NAMES) } : {}) });
}

export type IfVerdict = { readonly fires: boolean } | { readonly fires: false; readonly problem: string };

/** A webhook's `if`: fires only when it evaluates to true; an error, or a value that is not a boolean, is a problem (and skips it). */
export function evaluateIf(condition: string | undefined, environment: Environment): IfVerdict {
  if (condition === undefined || condition.trim() === '') return { fires: true };
  const evaluated = evaluateExpression(condition, environment);
  if (!evaluated.ok) return { fires: false, problem: evaluated.error.message };
  if (typeof evaluated.value !== 'boolean') return { fires: false, problem: 'does not evaluate to a boolean' };
  return { fires: evaluated.value };
}
