/**
 * Expansion: captured events become deliveries, one per webhook of the job (a sub-job is a job with
 * its own webhooks) that hears the event and whose `if` holds. Pure: the store reads the events and
 * their jobs, and writes what this answers.
 */
import { Redactor } from '../api/redact.ts';
import type { JobRecord } from '../datastore/jobs.ts';
import { evaluateIf, hears, ifEnvironment, type CapturedEvent } from './matching.ts';
import { jobSummary, taskSummary } from './payload.ts';

export interface PlannedDelivery {
  /** The X-Twerk-Delivery id, the same on every attempt. */
  readonly id: string;
  readonly jobId: string;
  /** The webhook's index in the job's `webhooks`: its deliveries go out in `seq` order. */
  readonly webhook: number;
  readonly seq: string;
  readonly event: string;
  /** The webhook's URL and headers as the job gave them: templates are rendered at each attempt. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>> | null;
  /** The redacted summary, as JSON text. */
  readonly payload: string;
}

/** A webhook skipped because its `if` failed: logged (the expression is the document's, never a secret value). */
export interface SkippedWebhook {
  readonly jobId: string;
  readonly webhook: number;
  readonly condition: string;
  readonly problem: string;
}

export interface Expansion {
  readonly deliveries: PlannedDelivery[];
  readonly skipped: SkippedWebhook[];
  /** Events of jobs that no longer exist: dropped. */
  readonly dropped: number;
}

export function expandEvents(events: readonly CapturedEvent[], jobs: ReadonlyMap<string, JobRecord>, newId: () => string): Expansion {
  const deliveries: PlannedDelivery[] = [];
  const skipped: SkippedWebhook[] = [];
  let dropped = 0;
  const redactors = new Map<string, Redactor>();
  for (const event of events) {
    const job = jobs.get(event.jobId);
    if (job === undefined) {
      dropped += 1;
      continue;
    }
    const webhooks = job.document.webhooks ?? [];
    const listening = webhooks.map((webhook, index) => ({ webhook, index })).filter(({ webhook }) => hears(webhook.event, event));
    if (listening.length === 0) continue;
    let redact = redactors.get(job.id);
    if (redact === undefined) {
      redact = new Redactor(job.secrets);
      redactors.set(job.id, redact);
    }
    // A task event's `if` sees the job as it stands; a job event's, the job as the event left it.
    const isTask = event.taskId !== null;
    const jobView = isTask ? jobSummary(job) : jobSummary(job, event.snapshot);
    const taskView = isTask ? taskSummary(event.snapshot, redact) : undefined;
    const payload = JSON.stringify(taskView ?? jobView);
    let environment: ReturnType<typeof ifEnvironment> | undefined;
    for (const { webhook, index } of listening) {
      if (webhook.if !== undefined) {
        environment ??= ifEnvironment(jobView, taskView);
        const verdict = evaluateIf(webhook.if, environment);
        if ('problem' in verdict) skipped.push({ jobId: job.id, webhook: index, condition: webhook.if, problem: verdict.problem });
        if (!verdict.fires) continue;
      }
      deliveries.push({
        id: newId(),
        jobId: job.id,
        webhook: index,
        seq: event.seq,
        event: webhook.event ?? 'job.StateChange',
        url: webhook.url,
        headers: webhook.headers !== undefined && Object.keys(webhook.headers).length > 0 ? webhook.headers : null,
        payload,
      });
    }
  }
  return { deliveries, skipped, dropped };
}
