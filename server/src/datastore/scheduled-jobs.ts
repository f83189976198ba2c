/** SQL for scheduled jobs: a job document, its schedule, and the next tick the scheduler will fire. */
import type { JobDocument } from '@twerk/contract';
import type { Visibility } from '../auth/policy.ts';
import type { Queryable } from '../db/database.ts';
import { cipherOf, sealSecrets, withOpenSecrets } from './secrets-cipher.ts';
import { visibilityCondition } from './visibility.ts';

export type ScheduledJobState = 'ACTIVE' | 'PAUSED';

export interface ScheduledJobRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly tags: string[];
  readonly state: ScheduledJobState;
  readonly cron: string;
  readonly timezone: string | null;
  /** The job each tick starts, without its inputs and secrets (they have their own columns). */
  readonly document: JobDocument;
  readonly inputs: Record<string, string>;
  readonly secrets: Record<string, string>;
  readonly createdAt: Date;
  readonly createdBy: string | null;
  readonly nextRunAt: Date | null;
  readonly lastRunAt: Date | null;
}

const FIELDS = `id, name, description, tags, state, cron, timezone, document, inputs, secrets, created_at AS "createdAt",
  created_by AS "createdBy", next_run_at AS "nextRunAt", last_run_at AS "lastRunAt"`;
const SELECT = `SELECT ${FIELDS} FROM twerk.scheduled_jobs`;

export type NewScheduledJob = Omit<ScheduledJobRecord, 'createdAt' | 'lastRunAt'>;

export async function insertScheduledJob(q: Queryable, job: NewScheduledJob): Promise<ScheduledJobRecord> {
  const rows = await q.query<{ id: string }>(
    `INSERT INTO twerk.scheduled_jobs (id, name, description, tags, state, cron, timezone, document, inputs, secrets, created_by, next_run_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [job.id, job.name, job.description, job.tags, job.state, job.cron, job.timezone, JSON.stringify(job.document), JSON.stringify(job.inputs), JSON.stringify(sealSecrets(cipherOf(q), job.secrets)), job.createdBy, job.nextRunAt],
  );
  return (await getScheduledJob(q, rows.rows[0]!.id))!;
}

export async function getScheduledJob(q: Queryable, id: string): Promise<ScheduledJobRecord | undefined> {
  const job = (await q.query<ScheduledJobRecord>(`${SELECT} WHERE id = $1`, [id])).rows[0];
  return job && withOpenSecrets(cipherOf(q), job);
}

/** The scheduled job, row-locked for the rest of the transaction (pause and resume race the scheduler). */
export async function lockScheduledJob(q: Queryable, id: string): Promise<ScheduledJobRecord | undefined> {
  const job = (await q.query<ScheduledJobRecord>(`${SELECT} WHERE id = $1 FOR UPDATE`, [id])).rows[0];
  return job && withOpenSecrets(cipherOf(q), job);
}

export async function listScheduledJobs(q: Queryable, page: number, size: number, visibleTo?: Visibility): Promise<{ items: ScheduledJobRecord[]; totalItems: number }> {
  const visible = visibleTo === undefined ? undefined : visibilityCondition(visibleTo, 1);
  const where = visible === undefined ? '' : ` WHERE ${visible.sql}`;
  const params = visible?.params ?? [];
  const total = await q.query<{ count: number }>(`SELECT count(*)::int AS count FROM twerk.scheduled_jobs${where}`, params);
  const items = await q.query<ScheduledJobRecord>(`${SELECT}${where} ORDER BY created_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, size, (page - 1) * size]);
  return { items: items.rows.map((job) => withOpenSecrets(cipherOf(q), job)), totalItems: total.rows[0]?.count ?? 0 };
}

export async function setScheduledJobState(q: Queryable, id: string, state: ScheduledJobState, nextRunAt: Date | null): Promise<void> {
  await q.query('UPDATE twerk.scheduled_jobs SET state = $2, next_run_at = $3 WHERE id = $1', [id, state, nextRunAt]);
}

export async function deleteScheduledJob(q: Queryable, id: string): Promise<boolean> {
  return ((await q.query('DELETE FROM twerk.scheduled_jobs WHERE id = $1', [id])).rowCount ?? 0) > 0;
}

/**
 * Up to `limit` active scheduled jobs whose next tick has come, locked; rows another coordinator is
 * firing are skipped, so each tick is taken by exactly one. `now` is the database's clock.
 */
export async function lockDueScheduledJobs(q: Queryable, limit: number): Promise<{ jobs: ScheduledJobRecord[]; now: Date }> {
  const rows = await q.query<ScheduledJobRecord & { dbNow: Date }>(
    `SELECT ${FIELDS}, now() AS "dbNow" FROM twerk.scheduled_jobs
     WHERE state = 'ACTIVE' AND next_run_at <= now() ORDER BY next_run_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  const now = rows.rows[0]?.dbNow ?? (await databaseNow(q));
  return { jobs: rows.rows.map((job) => withOpenSecrets(cipherOf(q), job)), now };
}

/** Records a fired tick and the next one (null: the schedule never fires again). */
export async function advanceScheduledJob(q: Queryable, id: string, firedTick: Date, nextRunAt: Date | null): Promise<void> {
  await q.query('UPDATE twerk.scheduled_jobs SET last_run_at = $2, next_run_at = $3 WHERE id = $1', [id, firedTick, nextRunAt]);
}

export async function databaseNow(q: Queryable): Promise<Date> {
  return (await q.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
}
