/** SQL for jobs. Column names never come from input: patches are mapped through a fixed table. */
import type { JobDocument } from '@twerk/contract';
import type { Visibility } from '../auth/policy.ts';
import type { Queryable } from '../db/database.ts';
import { cipherOf, sealSecrets, withOpenSecrets, type SecretsCipher } from './secrets-cipher.ts';
import { visibilityCondition } from './visibility.ts';

export type JobState = 'PENDING' | 'SCHEDULED' | 'RUNNING' | 'CANCELLED' | 'COMPLETED' | 'FAILED';

export interface JobRecord {
  readonly id: string;
  readonly parentId: string | null;
  readonly name: string;
  readonly description: string | null;
  readonly tags: string[];
  readonly state: JobState;
  readonly createdAt: Date;
  readonly createdBy: string | null;
  readonly startedAt: Date | null;
  readonly completedAt: Date | null;
  readonly failedAt: Date | null;
  readonly position: number;
  readonly taskCount: number;
  readonly document: JobDocument;
  readonly inputs: Record<string, string>;
  readonly secrets: Record<string, string>;
  /** Task results by `var`. */
  readonly context: { readonly tasks?: Record<string, string> };
  readonly output: string | null;
  readonly result: string | null;
  readonly error: string | null;
  readonly progress: number;
  /** Leaf tasks created and finished so far (progress counts them). */
  readonly leavesTotal: number;
  readonly leavesDone: number;
  readonly deleteAt: Date | null;
  /** The scheduled job that started this job, and the tick it was started for. */
  readonly scheduleId: string | null;
  readonly scheduledFor: Date | null;
}

const COLUMNS: Readonly<Record<string, string>> = {
  id: 'id', parentId: 'parent_id', name: 'name', description: 'description', tags: 'tags', state: 'state', createdAt: 'created_at',
  createdBy: 'created_by', startedAt: 'started_at', completedAt: 'completed_at', failedAt: 'failed_at', position: 'position',
  taskCount: 'task_count', document: 'document', inputs: 'inputs', secrets: 'secrets', context: 'context', output: 'output',
  result: 'result', error: 'error', progress: 'progress', leavesTotal: 'leaves_total', leavesDone: 'leaves_done', deleteAt: 'delete_at',
  scheduleId: 'schedule_id', scheduledFor: 'scheduled_for',
};
const JSON_COLUMNS = new Set(['document', 'inputs', 'secrets', 'context']);
const SELECT = `SELECT ${Object.entries(COLUMNS).map(([field, column]) => `${column} AS "${field}"`).join(', ')} FROM twerk.jobs`;

function encode(field: string, value: unknown, cipher: SecretsCipher): unknown {
  if (field === 'secrets') return JSON.stringify(sealSecrets(cipher, value as Record<string, string>));
  return JSON_COLUMNS.has(field) ? JSON.stringify(value) : value;
}

export type NewJob = Omit<JobRecord, 'createdAt' | 'startedAt' | 'completedAt' | 'failedAt' | 'result' | 'error' | 'progress' | 'leavesTotal' | 'leavesDone' | 'deleteAt' | 'scheduleId' | 'scheduledFor'> &
  Partial<Pick<JobRecord, 'scheduleId' | 'scheduledFor'>>;

export async function insertJob(q: Queryable, job: NewJob): Promise<void> {
  const fields = Object.keys(job).filter((field) => field in COLUMNS);
  await q.query(
    `INSERT INTO twerk.jobs (${fields.map((field) => COLUMNS[field]).join(', ')}) VALUES (${fields.map((_, index) => `$${index + 1}`).join(', ')})`,
    fields.map((field) => encode(field, (job as unknown as Record<string, unknown>)[field], cipherOf(q))),
  );
}

export async function getJob(q: Queryable, id: string): Promise<JobRecord | undefined> {
  const job = (await q.query<JobRecord>(`${SELECT} WHERE id = $1`, [id])).rows[0];
  return job && withOpenSecrets(cipherOf(q), job);
}

/** The jobs of these ids that exist, in one query. */
export async function getJobs(q: Queryable, ids: readonly string[]): Promise<JobRecord[]> {
  if (ids.length === 0) return [];
  const rows = (await q.query<JobRecord>(`${SELECT} WHERE id = ANY($1::text[])`, [ids])).rows;
  return rows.map((job) => withOpenSecrets(cipherOf(q), job));
}

export type JobPatch = Partial<Omit<JobRecord, 'id' | 'createdAt' | 'document'>>;

/**
 * What the coordinator locks and moves: a job without its definition, inputs, secrets or context,
 * which can be large and never change (or change only through `applyJobChanges`).
 */
export interface JobHead {
  readonly id: string;
  readonly parentId: string | null;
  readonly name: string;
  state: JobState;
  position: number;
  readonly taskCount: number;
  readonly createdBy: string | null;
  readonly output: string | null;
  readonly leavesTotal: number;
  readonly leavesDone: number;
}

const HEAD = `id, parent_id AS "parentId", name, state, position, task_count AS "taskCount", created_by AS "createdBy", output,
  leaves_total AS "leavesTotal", leaves_done AS "leavesDone"`;

/** Row-locks jobs for the rest of the transaction, in id order (so two transactions lock alike). */
export async function lockJobHeads(q: Queryable, ids: readonly string[]): Promise<JobHead[]> {
  if (ids.length === 0) return [];
  return (await q.query<JobHead>(`SELECT ${HEAD} FROM twerk.jobs WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [ids])).rows;
}

/** The parts of a job fixed at submission: read once and cached by the coordinator. */
export interface JobBody {
  readonly document: JobDocument;
  readonly inputs: Record<string, string>;
  readonly secrets: Record<string, string>;
}

export async function jobBody(q: Queryable, id: string): Promise<JobBody | undefined> {
  const body = (await q.query<JobBody>('SELECT document, inputs, secrets FROM twerk.jobs WHERE id = $1', [id])).rows[0];
  return body && withOpenSecrets(cipherOf(q), body);
}

/** Task results by `var` (the job context's `tasks`). */
export async function jobOutputs(q: Queryable, id: string): Promise<Record<string, string>> {
  const rows = await q.query<{ tasks: Record<string, string> | null }>("SELECT context->'tasks' AS tasks FROM twerk.jobs WHERE id = $1", [id]);
  return rows.rows[0]?.tasks ?? {};
}

export interface JobChanges {
  readonly patch: JobPatch;
  /** Results to add to the context's `tasks`. */
  readonly outputs?: Readonly<Record<string, string>>;
  readonly leavesCreated?: number;
  readonly leavesFinished?: number;
  /** Progress from the leaf counters as they stand after this change, for a job still running. */
  readonly recomputeProgress?: boolean;
  /** Sets delete_at to now + this many milliseconds. */
  readonly deleteAfterMs?: number;
}

/** Everything a transaction changes on one job, as one statement. */
export async function applyJobChanges(q: Queryable, id: string, changes: JobChanges): Promise<void> {
  const params: unknown[] = [id];
  const sets: string[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const { leavesTotal, leavesDone, ...patch } = changes.patch;
  for (const [field, value] of Object.entries(patch)) {
    if (!(field in COLUMNS) || value === undefined) continue;
    sets.push(`${COLUMNS[field]} = ${param(encode(field, value, cipherOf(q)))}`);
  }
  if (changes.outputs !== undefined && Object.keys(changes.outputs).length > 0) {
    sets.push(`context = jsonb_set(context, '{tasks}', coalesce(context->'tasks', '{}'::jsonb) || ${param(JSON.stringify(changes.outputs))}::jsonb)`);
  }
  // Counters are set (a restart recounts them) and moved by this transaction's deltas. Every SET
  // expression sees the row as it was, so the new values are spelled out where they are used.
  const created = changes.leavesCreated ?? 0;
  const finished = changes.leavesFinished ?? 0;
  const total = () => `(${leavesTotal !== undefined ? `${param(leavesTotal)}::integer` : 'leaves_total'} + ${param(created)}::integer)`;
  const done = () => `(${leavesDone !== undefined ? `${param(leavesDone)}::integer` : 'leaves_done'} + ${param(finished)}::integer)`;
  if (leavesTotal !== undefined || created !== 0) sets.push(`leaves_total = ${total()}`);
  if (leavesDone !== undefined || finished !== 0) sets.push(`leaves_done = ${done()}`);
  if (changes.recomputeProgress && patch.progress === undefined) {
    // Finished leaves over the leaves known so far plus one for each top-level task not yet started.
    const position = patch.position !== undefined ? `${param(patch.position)}::integer` : 'position';
    const known = `(${total()} + greatest(task_count - ${position}, 0))`;
    sets.push(`progress = CASE WHEN ${known} <= 0 THEN 0 ELSE least(100, round((${done()}::numeric / ${known}) * 100, 2))::double precision END`);
  }
  if (changes.deleteAfterMs !== undefined) sets.push(`delete_at = now() + ${param(changes.deleteAfterMs)}::double precision * interval '1 millisecond'`);
  if (sets.length === 0) return;
  await q.query(`UPDATE twerk.jobs SET ${sets.join(', ')} WHERE id = $1`, params);
}

/**
 * Deletes jobs and everything they own — tasks and their logs (by cascade) and, at any depth, the
 * attached sub-jobs their tasks started. Answers how many jobs went.
 */
export async function deleteJobTrees(q: Queryable, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await q.query(
    `WITH RECURSIVE doomed AS (
       SELECT id FROM twerk.jobs WHERE id = ANY($1::text[])
       UNION SELECT sub.id FROM twerk.jobs sub JOIN twerk.tasks t ON sub.parent_id = t.id JOIN doomed d ON t.job_id = d.id)
     DELETE FROM twerk.jobs WHERE id IN (SELECT id FROM doomed)`,
    [ids],
  );
  return result.rowCount;
}

/** Up to `limit` jobs whose autoDelete time has passed, locked and skipped by other deleters. */
export async function jobsDueForDeletion(q: Queryable, limit: number): Promise<string[]> {
  const rows = await q.query<{ id: string }>('SELECT id FROM twerk.jobs WHERE delete_at <= now() ORDER BY delete_at LIMIT $1 FOR UPDATE SKIP LOCKED', [limit]);
  return rows.rows.map((record) => record.id);
}

/**
 * Up to `limit` top-level jobs that ended (COMPLETED, FAILED or CANCELLED) more than `ageMs` ago,
 * oldest first, locked and skipped by other deleters. Attached sub-jobs are never chosen: they go with
 * their parent's tree. The expression and predicate are the jobs_ended_at index's (migration 0008).
 */
export async function jobsEndedBefore(q: Queryable, ageMs: number, limit: number): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT id FROM twerk.jobs
     WHERE parent_id IS NULL AND state IN ('COMPLETED', 'FAILED', 'CANCELLED')
       AND coalesce(greatest(completed_at, failed_at), created_at) < now() - $1::double precision * interval '1 millisecond'
     ORDER BY coalesce(greatest(completed_at, failed_at), created_at) LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [ageMs, limit],
  );
  return rows.rows.map((record) => record.id);
}

export interface JobQuery {
  readonly page: number;
  readonly size: number;
  /** Tork's search: `tag:x`/`tags:a,b` tokens filter by tag, the other words are full-text. */
  readonly q?: string;
  /** Only the jobs this caller may see (undefined: all). */
  readonly visibleTo?: Visibility;
}

export function parseSearch(q: string | undefined): { tags: string[]; text: string } {
  const tags: string[] = [];
  const words: string[] = [];
  for (const token of (q ?? '').split(/\s+/).filter(Boolean)) {
    const match = /^tags?:(.*)$/.exec(token);
    if (match) tags.push(...match[1]!.split(',').filter(Boolean));
    else words.push(token);
  }
  return { tags, text: words.join(' ') };
}

export async function listJobs(q: Queryable, query: JobQuery): Promise<{ items: JobRecord[]; totalItems: number }> {
  const { tags, text } = parseSearch(query.q);
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (tags.length > 0) {
    params.push(tags);
    conditions.push(`tags && $${params.length}::text[]`);
  }
  if (text !== '') {
    params.push(text);
    conditions.push(`ts @@ plainto_tsquery('english', $${params.length})`);
  }
  if (query.visibleTo !== undefined) {
    const visible = visibilityCondition(query.visibleTo, params.length + 1);
    params.push(...visible.params);
    conditions.push(visible.sql);
  }
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  const total = await q.query<{ count: number }>(`SELECT count(*)::int AS count FROM twerk.jobs${where}`, params);
  const items = await q.query<JobRecord>(`${SELECT}${where} ORDER BY created_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [
    ...params,
    query.size,
    (query.page - 1) * query.size,
  ]);
  return { items: items.rows.map((job) => withOpenSecrets(cipherOf(q), job)), totalItems: total.rows[0]?.count ?? 0 };
}

/** The active sub-jobs started by any of these tasks, locked: what cancelling their parent must cancel. */
export async function lockActiveSubjobs(q: Queryable, taskIds: readonly string[]): Promise<string[]> {
  const rows = await q.query<{ id: string }>("SELECT id FROM twerk.jobs WHERE parent_id = ANY($1::text[]) AND state IN ('PENDING', 'SCHEDULED', 'RUNNING') FOR UPDATE", [taskIds]);
  return rows.rows.map((row) => row.id);
}

/** How many jobs (sub-jobs included) are in each state; a state no job is in is left out. */
export async function countJobsByState(q: Queryable): Promise<Partial<Record<JobState, number>>> {
  const rows = await q.query<{ state: JobState; n: number }>('SELECT state, count(*)::int AS n FROM twerk.jobs GROUP BY state');
  return Object.fromEntries(rows.rows.map((row) => [row.state, row.n]));
}
