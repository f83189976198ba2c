/**
 * Triggers in code: one builder per way the contract lets a trigger fire — an event name
 * (`POST /events`), an inbound webhook path (`POST /hooks/{path}`), or by hand only
 * (`POST /triggers/{id}/fire`). The job it starts is validated as a job here, as the server does when
 * the trigger is created, so a trigger never carries a job that cannot run.
 */
import { contractError, issuesToFieldErrors, parseJobDocument, triggerInputSchema } from '@twerk/contract';
import type { z } from 'zod';
import { seal, TwerkBuildError, type Built } from './built.ts';
import type { BuiltJob, JobSpec } from './job.ts';

type TriggerInput = z.input<typeof triggerInputSchema>;
export type BuiltTrigger = Built<z.output<typeof triggerInputSchema>, 'trigger'>;

/** Everything but how it fires and what it runs; `enabled` defaults to true. */
export type TriggerOptions = Omit<TriggerInput, 'name' | 'event' | 'hookPath' | 'job' | 'enabled'> & { readonly enabled?: boolean };

function build(spec: Omit<TriggerInput, 'job'> & { readonly job: BuiltJob | JobSpec }): BuiltTrigger {
  const what = `trigger "${spec.name}"`;
  const jobTree = JSON.parse(JSON.stringify(spec.job)) as unknown;
  const checkedJob = parseJobDocument(jobTree);
  if (!checkedJob.ok) {
    throw new TwerkBuildError(what, contractError(checkedJob.error.errors.map((error) => ({ path: error.path === '' ? 'job' : `job.${error.path}`, message: error.message }))));
  }
  const parsed = triggerInputSchema.safeParse({ ...spec, job: jobTree });
  if (!parsed.success) throw new TwerkBuildError(what, contractError(issuesToFieldErrors(parsed.error.issues, triggerInputSchema)));
  return seal<z.output<typeof triggerInputSchema>, 'trigger'>(parsed.data);
}

export const trigger = {
  /** Fires on `POST /events` with this event name, when `condition` (over `payload` and `event`) holds. */
  onEvent: (name: string, event: string, job: BuiltJob | JobSpec, options: TriggerOptions = {}) => build({ enabled: true, ...options, name, event, job }),
  /** Fires on `POST /hooks/{hookPath}`; the request body is the payload. */
  onWebhook: (name: string, hookPath: string, job: BuiltJob | JobSpec, options: TriggerOptions = {}) => build({ enabled: true, ...options, name, hookPath, job }),
  /** Fires only when asked: `POST /triggers/{id}/fire`. */
  manual: (name: string, job: BuiltJob | JobSpec, options: TriggerOptions = {}) => build({ enabled: true, ...options, name, job }),
};
