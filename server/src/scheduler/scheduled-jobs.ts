/**
 * Scheduled jobs: storing one (its first tick computed), pausing and resuming it, and firing the
 * ticks that are due. A tick's job is created in the transaction that advances the schedule, on a row
 * other coordinators skip, and (schedule, tick) is unique on jobs: a tick starts exactly one job.
 */
import { nextFiring, parseCron, type CronSpec, type JobDocument, type ScheduledJobDocument } from '@twerk/contract';
import { enqueueJob } from '../coordinator/coordinator.ts';
import { transact, type CoordinatorDeps } from '../coordinator/session.ts';
import { newId } from '../datastore/ids.ts';
import {
  advanceScheduledJob,
  databaseNow,
  insertScheduledJob,
  lockDueScheduledJobs,
  lockScheduledJob,
  setScheduledJobState,
  type ScheduledJobRecord,
} from '../datastore/scheduled-jobs.ts';
import { planTick } from './ticks.ts';

/** The cron spec of a stored schedule; it was validated when stored, so failing here is a bug. */
export function cronSpecOf(cron: string, timezone: string | null): CronSpec {
  const spec = parseCron(cron, timezone ?? undefined);
  if (!spec.ok) throw new Error(`stored cron "${cron}" no longer parses: ${spec.error}`);
  return spec.value;
}

/** The job document a tick submits: the stored document with its inputs and secrets back in. */
export function jobOfSchedule(schedule: ScheduledJobRecord): JobDocument {
  return {
    ...schedule.document,
    ...(Object.keys(schedule.inputs).length > 0 ? { inputs: { ...schedule.inputs } } : {}),
    ...(Object.keys(schedule.secrets).length > 0 ? { secrets: { ...schedule.secrets } } : {}),
  } as JobDocument;
}

export async function createScheduledJob(deps: CoordinatorDeps, document: ScheduledJobDocument, createdBy: string | null): Promise<ScheduledJobRecord> {
  const { schedule, cron: twerkCron, secrets = {}, inputs = {}, ...job } = document;
  const cron = schedule?.cron ?? twerkCron!;
  const timezone = schedule?.timezone ?? null;
  return transact(deps, async (s) => {
    const now = await databaseNow(s.tx);
    return insertScheduledJob(s.tx, {
      id: newId(),
      name: job.name,
      description: job.description ?? null,
      tags: [...(job.tags ?? [])],
      state: 'ACTIVE',
      cron,
      timezone,
      document: job as JobDocument,
      inputs: { ...inputs },
      secrets: { ...secrets },
      createdBy,
      nextRunAt: nextFiring(cronSpecOf(cron, timezone), now) ?? null,
    });
  });
}

export type ScheduleChange = 'ok' | 'not-found' | 'not-active' | 'not-paused';

export async function pauseScheduledJob(deps: CoordinatorDeps, id: string): Promise<ScheduleChange> {
  return transact(deps, async (s) => {
    const schedule = await lockScheduledJob(s.tx, id);
    if (schedule === undefined) return 'not-found';
    if (schedule.state !== 'ACTIVE') return 'not-active';
    await setScheduledJobState(s.tx, id, 'PAUSED', null);
    return 'ok';
  });
}

/** Resuming continues from the next tick after now: ticks that fell while paused are not fired. */
export async function resumeScheduledJob(deps: CoordinatorDeps, id: string): Promise<ScheduleChange> {
  return transact(deps, async (s) => {
    const schedule = await lockScheduledJob(s.tx, id);
    if (schedule === undefined) return 'not-found';
    if (schedule.state !== 'PAUSED') return 'not-paused';
    const next = nextFiring(cronSpecOf(schedule.cron, schedule.timezone), await databaseNow(s.tx));
    await setScheduledJobState(s.tx, id, 'ACTIVE', next ?? null);
    return 'ok';
  });
}

/** Fires up to `limit` due ticks of scheduled jobs in one transaction; answers how many fired. */
export async function fireDueScheduledJobs(deps: CoordinatorDeps, limit = 50, graceMs?: number): Promise<number> {
  return transact(deps, async (s) => {
    const { jobs, now } = await lockDueScheduledJobs(s.tx, limit);
    for (const schedule of jobs) {
      const plan = planTick(cronSpecOf(schedule.cron, schedule.timezone), schedule.nextRunAt!, now, graceMs);
      await enqueueJob(s, jobOfSchedule(schedule), { createdBy: schedule.createdBy, schedule: { id: schedule.id, tick: plan.tick } });
      await advanceScheduledJob(s.tx, schedule.id, plan.tick, plan.next ?? null);
    }
    return jobs.length;
  });
}
