/**
 * SQL of the webhook outbox (migration 0007): the events the triggers capture, and the deliveries
 * they expand into. Deliveries are claimed with SKIP LOCKED and a lease, so coordinators share them
 * and one claimed by a process that died is sent again once its lease runs out. `attempts` counts
 * claims and fences outcomes: a process whose lease ran out cannot record over the next claim's.
 */
import type { JobContext } from '@twerk/contract';
import type { Queryable } from '../db/database.ts';
import { cipherOf, openSecrets } from '../datastore/secrets-cipher.ts';
import type { CapturedEvent } from './matching.ts';
import type { PlannedDelivery } from './expansion.ts';

export const WEBHOOK_CHANNEL = 'twerk_webhooks';

/** Only one process expands at a time, so deliveries are made in event order (expansion is cheap). */
export async function lockExpansion(q: Queryable): Promise<boolean> {
  const rows = await q.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext('twerk.webhooks.expand')) AS locked");
  return rows.rows[0]?.locked === true;
}

/** The oldest captured events, first come first. */
export async function oldestEvents(q: Queryable, limit: number): Promise<CapturedEvent[]> {
  return (
    await q.query<CapturedEvent>(
      `SELECT id::text AS seq, job_id AS "jobId", task_id AS "taskId", previous_state AS "previousState", state,
         state_changed AS "stateChanged", progress_changed AS "progressChanged", snapshot
       FROM twerk.webhook_events ORDER BY id LIMIT $1`,
      [limit],
    )
  ).rows;
}

export async function deleteEvents(q: Queryable, seqs: readonly string[]): Promise<void> {
  if (seqs.length > 0) await q.query('DELETE FROM twerk.webhook_events WHERE id = ANY($1::bigint[])', [seqs]);
}

export async function insertDeliveries(q: Queryable, deliveries: readonly PlannedDelivery[]): Promise<void> {
  for (let start = 0; start < deliveries.length; start += 500) {
    const chunk = deliveries.slice(start, start + 500).map((delivery) => ({
      id: delivery.id, job_id: delivery.jobId, webhook: delivery.webhook, seq: delivery.seq, event: delivery.event,
      url: delivery.url, headers: delivery.headers, payload: delivery.payload,
    }));
    await q.query(
      `INSERT INTO twerk.webhook_deliveries (id, job_id, webhook, seq, event, url, headers, payload)
       SELECT id, job_id, webhook, seq, event, url, headers, payload
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, job_id text, webhook integer, seq bigint, event text, url text, headers jsonb, payload text)`,
      [JSON.stringify(chunk)],
    );
  }
}

/** A delivery claimed for one attempt. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly jobId: string;
  readonly webhook: number;
  readonly event: string;
  readonly url: string;
  readonly headers: Record<string, string> | null;
  readonly payload: string;
  /** This attempt's number (1 for the first); it fences the outcome. */
  readonly attempts: number;
}

/** Of one (job, webhook) only the earliest PENDING delivery may go: a later one waits for it. */
const HEAD_OF_ITS_WEBHOOK = `NOT EXISTS (SELECT 1 FROM twerk.webhook_deliveries e
  WHERE e.job_id = c.job_id AND e.webhook = c.webhook AND e.state = 'PENDING' AND e.seq < c.seq)`;

/** Claims up to `limit` deliveries that are due, for `leaseMs`. */
export async function claimDeliveries(q: Queryable, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  if (limit <= 0) return [];
  return (
    await q.query<ClaimedDelivery>(
      `UPDATE twerk.webhook_deliveries d SET attempts = d.attempts + 1, locked_until = now() + $2::double precision * interval '1 millisecond'
       FROM (SELECT c.id FROM twerk.webhook_deliveries c
             WHERE c.state = 'PENDING' AND c.next_attempt_at <= now() AND (c.locked_until IS NULL OR c.locked_until < now()) AND ${HEAD_OF_ITS_WEBHOOK}
             ORDER BY c.next_attempt_at, c.seq LIMIT $1 FOR UPDATE SKIP LOCKED) due
       WHERE d.id = due.id
       RETURNING d.id, d.job_id AS "jobId", d.webhook, d.event, d.url, d.headers, d.payload, d.attempts`,
      [limit, leaseMs],
    )
  ).rows;
}

/** Milliseconds until a delivery not waiting for another becomes due (0: one is due now), or undefined when none is pending. */
export async function nextDueInMs(q: Queryable): Promise<number | undefined> {
  const rows = await q.query<{ ms: number | null }>(
    `SELECT greatest(0, extract(epoch FROM min(greatest(c.next_attempt_at, coalesce(c.locked_until, c.next_attempt_at))) - now()) * 1000)::double precision AS ms
     FROM twerk.webhook_deliveries c WHERE c.state = 'PENDING' AND ${HEAD_OF_ITS_WEBHOOK}`,
  );
  const ms = rows.rows[0]?.ms;
  return ms === null || ms === undefined ? undefined : Number(ms);
}

export interface AttemptRecord {
  readonly id: string;
  readonly attempts: number;
  readonly status: number | null;
  readonly error: string | null;
}

const FENCE = "id = $1 AND attempts = $2 AND state = 'PENDING'";

export async function markDelivered(q: Queryable, attempt: AttemptRecord): Promise<void> {
  await q.query(
    `UPDATE twerk.webhook_deliveries SET state = 'DELIVERED', last_status = $3, last_error = NULL, locked_until = NULL, finished_at = now() WHERE ${FENCE}`,
    [attempt.id, attempt.attempts, attempt.status],
  );
}

export async function markFailed(q: Queryable, attempt: AttemptRecord): Promise<void> {
  await q.query(
    `UPDATE twerk.webhook_deliveries SET state = 'FAILED', last_status = $3, last_error = $4, locked_until = NULL, finished_at = now() WHERE ${FENCE}`,
    [attempt.id, attempt.attempts, attempt.status, attempt.error],
  );
}

export async function scheduleRetry(q: Queryable, attempt: AttemptRecord, delayMs: number): Promise<void> {
  await q.query(
    `UPDATE twerk.webhook_deliveries SET last_status = $3, last_error = $4, locked_until = NULL,
       next_attempt_at = now() + $5::double precision * interval '1 millisecond' WHERE ${FENCE}`,
    [attempt.id, attempt.attempts, attempt.status, attempt.error, delayMs],
  );
}

/** A stopping process gives back a claim it did not finish: due again at once, the attempt not counted. */
export async function releaseDelivery(q: Queryable, id: string, attempts: number): Promise<void> {
  await q.query(`UPDATE twerk.webhook_deliveries SET locked_until = NULL, attempts = attempts - 1 WHERE ${FENCE}`, [id, attempts]);
}

/** What a delivery's templates are rendered against: the job context, as task templates see it. */
export async function jobContext(q: Queryable, jobId: string): Promise<(JobContext & { readonly secrets: Readonly<Record<string, string>> }) | undefined> {
  const rows = await q.query<{ inputs: Record<string, string>; secrets: Record<string, string>; tasks: Record<string, string> | null; name: string }>(
    "SELECT inputs, secrets, context->'tasks' AS tasks, name FROM twerk.jobs WHERE id = $1",
    [jobId],
  );
  const row = rows.rows[0];
  if (row === undefined) return undefined;
  return { inputs: row.inputs, secrets: openSecrets(cipherOf(q), row.secrets), tasks: row.tasks ?? {}, job: { id: jobId, name: row.name } };
}

/** Deletes up to `limit` delivered and failed deliveries that finished more than `olderThanMs` ago; answers how many. */
export async function purgeFinished(q: Queryable, olderThanMs: number, limit: number): Promise<number> {
  const result = await q.query(
    `DELETE FROM twerk.webhook_deliveries WHERE id IN (
       SELECT id FROM twerk.webhook_deliveries WHERE state <> 'PENDING' AND finished_at < now() - $1::double precision * interval '1 millisecond'
       ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [olderThanMs, limit],
  );
  return result.rowCount;
}

/** A delivery as the outbox holds it (for inspection and tests). */
export interface DeliveryRecord {
  readonly id: string;
  readonly jobId: string;
  readonly webhook: number;
  readonly seq: string;
  readonly event: string;
  readonly state: 'PENDING' | 'DELIVERED' | 'FAILED';
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly payload: string;
}

export async function deliveriesOfJob(q: Queryable, jobId: string): Promise<DeliveryRecord[]> {
  return (
    await q.query<DeliveryRecord>(
      `SELECT id, job_id AS "jobId", webhook, seq::text AS seq, event, state, attempts, last_status AS "lastStatus", last_error AS "lastError", payload
       FROM twerk.webhook_deliveries WHERE job_id = $1 ORDER BY webhook, seq`,
      [jobId],
    )
  ).rows;
}
