/**
 * Firing triggers. Each firing runs in the transaction that starts its job and records itself
 * (trigger, time, job or the reason it started none), with the trigger row locked: a retried delivery
 * with the same idempotency key finds the first firing and starts nothing new, and two coordinators
 * receiving one event never race on a trigger.
 */
import { classifyDocument, type JobDocument } from '@twerk/contract';
import { enqueueJob, enqueueMachine } from '../coordinator/coordinator.ts';
import { transact, type CoordinatorDeps, type Session } from '../coordinator/session.ts';
import { newId } from '../datastore/ids.ts';
import { getScheduledJob } from '../datastore/scheduled-jobs.ts';
import { firingByKey, insertFiring, lockDueCronTriggers, lockTrigger, setTriggerNextRun, triggerIdsForEvent, type FiringSource, type TriggerRecord } from '../datastore/triggers.ts';
import { cronSpecOf, jobOfSchedule } from '../scheduler/scheduled-jobs.ts';
import { planTick } from '../scheduler/ticks.ts';
import { firingEnvironment, judgeCondition, payloadInputs, renderInputs } from './conditions.ts';

export interface FiringRequest {
  readonly source: FiringSource;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly event?: string;
  readonly idempotencyKey?: string;
  /** A manual firing starts the job whatever the condition says. */
  readonly ignoreCondition?: boolean;
}

export type FiringOutcome =
  | { readonly kind: 'started'; readonly triggerId: string; readonly jobId: string; readonly duplicate: boolean }
  | { readonly kind: 'skipped'; readonly triggerId: string; readonly reason: string; readonly disabled: boolean }
  | { readonly kind: 'not-found'; readonly triggerId: string };

type Start = { readonly job: JobDocument } | { readonly machine: Readonly<Record<string, unknown>>; readonly input: unknown } | { readonly reason: string };

/** What the trigger's action starts for this payload, or why it cannot start anything. */
async function resolveAction(s: Session, trigger: TriggerRecord, request: FiringRequest): Promise<Start> {
  const { definition } = trigger;
  const environment = firingEnvironment({ payload: request.payload, source: request.source, ...(request.event !== undefined ? { event: request.event } : {}), trigger: { id: trigger.id, name: definition.name } });
  if (!request.ignoreCondition) {
    const verdict = judgeCondition(definition.condition, environment);
    if (!verdict.fires) return { reason: verdict.reason };
  }
  const rendered = renderInputs(definition.inputs, environment);
  if (!rendered.ok) return { reason: rendered.reason };
  const inputs = { ...payloadInputs(request.payload), ...rendered.inputs };
  let job: JobDocument;
  if (definition.job !== undefined) {
    const parsed = classifyDocument(definition.job);
    if (!parsed.ok) return { reason: `its job is not valid: ${parsed.error.message}` };
    // A machine's input is the payload itself (JSON, not strings), with the rendered inputs over it.
    if (parsed.value.family === 'machine') return { machine: definition.job, input: { ...request.payload, ...rendered.inputs } };
    job = parsed.value.job;
  } else if (definition.scheduledJobId !== undefined) {
    const schedule = await getScheduledJob(s.tx, definition.scheduledJobId);
    if (schedule === undefined) return { reason: `scheduled job ${definition.scheduledJobId} does not exist` };
    job = jobOfSchedule(schedule);
  } else {
    return { reason: 'it has nothing to start: give it a job or a scheduledJobId' };
  }
  return { job: { ...job, inputs: { ...(job.inputs ?? {}), ...inputs } } };
}

/** Fires one trigger in the session's transaction. */
export async function fireTrigger(s: Session, triggerId: string, request: FiringRequest): Promise<FiringOutcome> {
  const trigger = await lockTrigger(s.tx, triggerId);
  if (trigger === undefined) return { kind: 'not-found', triggerId };
  const key = request.idempotencyKey ?? null;
  if (key !== null) {
    const earlier = await firingByKey(s.tx, triggerId, key);
    if (earlier !== undefined) {
      return earlier.jobId !== null
        ? { kind: 'started', triggerId, jobId: earlier.jobId, duplicate: true }
        : { kind: 'skipped', triggerId, reason: earlier.reason ?? 'it did not fire', disabled: false };
    }
  }
  const record = async (jobId: string | null, reason: string | null) =>
    insertFiring(s.tx, { id: newId(), triggerId, source: request.source, jobId, reason, idempotencyKey: key });
  if (!trigger.definition.enabled) {
    await record(null, 'the trigger is disabled');
    return { kind: 'skipped', triggerId, reason: 'the trigger is disabled', disabled: true };
  }
  const start = await resolveAction(s, trigger, request);
  if ('reason' in start) {
    await record(null, start.reason);
    return { kind: 'skipped', triggerId, reason: start.reason, disabled: false };
  }
  const jobId = 'job' in start ? await enqueueJob(s, start.job) : await enqueueMachine(s, start.machine, start.input);
  await record(jobId, null);
  return { kind: 'started', triggerId, jobId, duplicate: false };
}

export function fireTriggerNow(deps: CoordinatorDeps, triggerId: string, request: FiringRequest): Promise<FiringOutcome> {
  return transact(deps, (s) => fireTrigger(s, triggerId, request));
}

/** An event fires every enabled trigger listening for its name, all in one transaction. */
export function publishEvent(deps: CoordinatorDeps, name: string, payload: Readonly<Record<string, unknown>>, idempotencyKey?: string): Promise<FiringOutcome[]> {
  return transact(deps, async (s) => {
    const outcomes: FiringOutcome[] = [];
    for (const id of await triggerIdsForEvent(s.tx, name)) {
      outcomes.push(await fireTrigger(s, id, { source: 'event', event: name, payload, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) }));
    }
    return outcomes;
  });
}

/**
 * Fires the due ticks of cron triggers; the tick is the firing's idempotency key, so a tick fires a
 * trigger once even if a transaction is retried. Answers how many ticks fired.
 */
export async function fireDueCronTriggers(deps: CoordinatorDeps, limit = 50, graceMs?: number): Promise<number> {
  return transact(deps, async (s) => {
    const { triggers, now } = await lockDueCronTriggers(s.tx, limit);
    for (const trigger of triggers) {
      const { cron, timezone } = trigger.definition;
      const plan = planTick(cronSpecOf(cron!, timezone ?? null), trigger.nextRunAt!, now, graceMs);
      await fireTrigger(s, trigger.id, { source: 'cron', payload: {}, idempotencyKey: `cron@${plan.tick.toISOString()}` });
      await setTriggerNextRun(s.tx, trigger.id, plan.next ?? null);
    }
    return triggers.length;
  });
}
