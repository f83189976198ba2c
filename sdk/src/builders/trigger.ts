/**
 * Triggers in code: one builder per way the contract lets a trigger fire — an event name
 * (`POST /events`), an inbound webhook path (`POST /hooks/{path}`, signed with its secret), a cron
 * schedule, or by hand only (`POST /triggers/{id}/fire`). What it starts is a job, a state machine
 * (whose input is the payload), or a stored scheduled job (`{ scheduledJobId }`). A job or machine is
 * validated here as the server does when the trigger is created, so a trigger never carries one that
 * cannot run.
 */
import { classifyDocument, contractError, issuesToFieldErrors, triggerInputSchema } from '@twerk/contract';
import type { z } from 'zod';
import { seal, TwerkBuildError, type Built } from './built.ts';
import type { BuiltJob, JobSpec } from './job.ts';
import type { BuiltMachine } from './machine.ts';

type TriggerInput = z.input<typeof triggerInputSchema>;
export type BuiltTrigger = Built<z.output<typeof triggerInputSchema>, 'trigger'>;

/** Starts the document of a stored scheduled job (its id, as `client.scheduledJobs.create` answers it). */
export interface ScheduledJobRef {
  readonly scheduledJobId: string;
}

/**
 * What a trigger starts: a job (the payload's fields, and the rendered `inputs`, become its inputs), a
 * state machine (its input is the payload, with the rendered `inputs` over it), or a stored scheduled job.
 */
export type TriggerAction = BuiltJob | JobSpec | BuiltMachine | ScheduledJobRef;

/** Everything but how it fires and what it starts; `enabled` defaults to true. */
export type TriggerOptions = Omit<TriggerInput, 'name' | 'event' | 'hookPath' | 'secret' | 'cron' | 'timezone' | 'job' | 'scheduledJobId' | 'enabled'> & {
  readonly enabled?: boolean;
};
/** An inbound webhook needs its shared secret (16–256 characters): callers sign the body with it or send it as a bearer token. */
export type WebhookOptions = TriggerOptions & { readonly secret: string };
/** `timezone` is the IANA zone of the cron schedule (default UTC). */
export type ScheduleOptions = TriggerOptions & { readonly timezone?: string };

type How = Pick<TriggerInput, 'event' | 'hookPath' | 'secret' | 'cron' | 'timezone'>;

function isScheduledJobRef(action: TriggerAction): action is ScheduledJobRef {
  return Object.keys(action).length === 1 && typeof (action as Partial<ScheduledJobRef>).scheduledJobId === 'string';
}

function build(name: string, how: How, action: TriggerAction, options: TriggerOptions): BuiltTrigger {
  const what = `trigger "${name}"`;
  let started: Pick<TriggerInput, 'job' | 'scheduledJobId'>;
  if (isScheduledJobRef(action)) {
    started = { scheduledJobId: action.scheduledJobId };
  } else {
    const tree = JSON.parse(JSON.stringify(action)) as Record<string, unknown>;
    const checked = classifyDocument(tree);
    if (!checked.ok) {
      throw new TwerkBuildError(what, contractError(checked.error.errors.map((error) => ({ path: error.path === '' ? 'job' : `job.${error.path}`, message: error.message }))));
    }
    started = { job: tree };
  }
  const parsed = triggerInputSchema.safeParse({ enabled: true, ...options, name, ...how, ...started });
  if (!parsed.success) throw new TwerkBuildError(what, contractError(issuesToFieldErrors(parsed.error.issues, triggerInputSchema)));
  return seal<z.output<typeof triggerInputSchema>, 'trigger'>(parsed.data);
}

export const trigger = {
  /** Fires on `POST /events` with this event name, when `condition` (over `payload` and `event`) holds. */
  onEvent: (name: string, event: string, action: TriggerAction, options: TriggerOptions = {}) => build(name, { event }, action, options),
  /** Fires on `POST /hooks/{hookPath}` signed with (or carrying) `options.secret`; the request body is the payload. */
  onWebhook: (name: string, hookPath: string, action: TriggerAction, options: WebhookOptions) => {
    const { secret, ...rest } = options;
    return build(name, { hookPath, secret }, action, rest);
  },
  /** Fires at each tick of `cron` (5 fields, or 6 with seconds first) in `options.timezone`; the payload is empty. */
  onSchedule: (name: string, cron: string, action: TriggerAction, options: ScheduleOptions = {}) => {
    const { timezone, ...rest } = options;
    return build(name, { cron, ...(timezone !== undefined ? { timezone } : {}) }, action, rest);
  },
  /** Fires only when asked: `POST /triggers/{id}/fire`. */
  manual: (name: string, action: TriggerAction, options: TriggerOptions = {}) => build(name, {}, action, options),
};
