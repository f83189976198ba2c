/** SQL for jobs. Column names never come from input: patches are mapped through a fixed table. */
import type { JobDocument } from '@twerk/contract';
import type { Queryable } from '../db/database.ts';

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
}

const COLUMNS: Readonly<Record<string, string>> = {
  id: 'id', parentId: 'parent_id', name: 'name', description: 'description', tags: 'tags', state: 'state', createdAt: 'created_at',
  createdBy: 'created_by', startedAt: 'started_at', completedAt: 'completed_at', failedAt: 'failed_at', position: 'position',
  taskCount: 'task_count', document: 'document', inputs: 'inputs', secrets: 'secrets', context: 'context', output: 'output',
  result: 'result', error: 'error', progress: 'progress',
};
const JSON_COLUMNS = new Set(['document', 'inputs', 'secrets', 'context']);
const SELECT = `SELECT ${Object.entries(COLUMNS).map(([field, column]) => `${column} AS "${field}"`).join(', ')} FROM twerk.jobs`;

function encode(field: string, value: unknown): unknown {
  return JSON_COLUMNS.has(field) ? JSON.stringify(value) : value;
}

export async function insertJob(q: Queryable, job: Omit<JobRecord, 'createdAt' | 'startedAt' | 'completedAt' | 'failedAt' | 'result' | 'error' | 'progress'>): Promise<void> {
  const fields = Object.keys(job).filter((field) => field in COLUMNS);
  await q.query(
    `INSERT INTO twerk.jobs (${fields.map((field) => COLUMNS[field]).join(', ')}) VALUES (${fields.map((_, index) => `$${index + 1}`).join(', ')})`,
    fields.map((field) => encode(field, (job as unknown as Record<string, unknown>)[field])),
  );
}

export async function getJob(q: Queryable, id: string): Promise<JobRecord | undefined> {
  return (await q.query<JobRecord>(`${SELECT} WHERE id = $1`, [id])).rows[0];
}

/** Reads and row-locks a job for the rest of the transaction: every transition of a job goes through here. */
export async function lockJob(q: Queryable, id: string): Promise<JobRecord | undefined> {
  return (await q.query<JobRecord>(`${SELECT} WHERE id = $1 FOR UPDATE`, [id])).rows[0];
}

export type JobPatch = Partial<Omit<JobRecord, 'id' | 'createdAt' | 'document'>>;

export async function updateJob(q: Queryable, id: string, patch: JobPatch): Promise<void> {
  const fields = Object.keys(patch).filter((field) => field in COLUMNS);
  if (fields.length === 0) return;
  await q.query(
    `UPDATE twerk.jobs SET ${fields.map((field, index) => `${COLUMNS[field]} = $${index + 2}`).join(', ')} WHERE id = $1`,
    [id, ...fields.map((field) => encode(field, (patch as Record<string, unknown>)[field]))],
  );
}

export async function deleteJob(q: Queryable, id: string): Promise<boolean> {
  return (await q.query('DELETE FROM twerk.jobs WHERE id = $1', [id])).rowCount > 0;
}

export interface JobQuery {
  readonly page: number;
  readonly size: number;
  /** Tork's search: `tag:x`/`tags:a,b` tokens filter by tag, the other words are full-text. */
  readonly q?: string;
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
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  const total = await q.query<{ count: number }>(`SELECT count(*)::int AS count FROM twerk.jobs${where}`, params);
  const items = await q.query<JobRecord>(`${SELECT}${where} ORDER BY created_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [
    ...params,
    query.size,
    (query.page - 1) * query.size,
  ]);
  return { items: items.rows, totalItems: total.rows[0]?.count ?? 0 };
}

/** The active sub-jobs started by any of these tasks, locked: what cancelling their parent must cancel. */
export async function lockActiveSubjobs(q: Queryable, taskIds: readonly string[]): Promise<string[]> {
  const rows = await q.query<{ id: string }>("SELECT id FROM twerk.jobs WHERE parent_id = ANY($1::text[]) AND state IN ('PENDING', 'SCHEDULED', 'RUNNING') FOR UPDATE", [taskIds]);
  return rows.rows.map((row) => row.id);
}
