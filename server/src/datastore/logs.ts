/** SQL for task log parts: append-only, numbered per task. */
import type { Queryable } from '../db/database.ts';

export interface LogPartRecord {
  readonly id: string;
  readonly number: number;
  readonly taskId: string;
  readonly contents: string;
  readonly createdAt: Date;
}

export async function appendLogPart(q: Queryable, taskId: string, contents: string): Promise<void> {
  // The number is computed in the same statement; the unique (task_id, number) key makes a concurrent
  // append fail loudly instead of duplicating a number.
  await q.query(
    `INSERT INTO twerk.task_log_parts (task_id, number, contents)
     SELECT $1, coalesce(max(number), 0) + 1, $2 FROM twerk.task_log_parts WHERE task_id = $1`,
    [taskId, contents],
  );
}

/** Log parts numbered by their sender (an HTTP worker's chunk sequence): one already stored is not stored again. Answers how many were new. */
export async function appendNumberedLogParts(q: Queryable, taskId: string, parts: readonly { readonly number: number; readonly contents: string }[]): Promise<number> {
  if (parts.length === 0) return 0;
  const inserted = await q.query(
    `INSERT INTO twerk.task_log_parts (task_id, number, contents) SELECT $1, number, contents FROM jsonb_to_recordset($2::jsonb) AS c(number integer, contents text)
     ON CONFLICT (task_id, number) DO NOTHING`,
    [taskId, JSON.stringify(parts)],
  );
  return inserted.rowCount;
}

export async function taskLogParts(q: Queryable, taskIds: readonly string[], page: number, size: number, search?: string): Promise<{ items: LogPartRecord[]; totalItems: number }> {
  const params: unknown[] = [taskIds];
  let where = 'task_id = ANY($1::text[])';
  if (search !== undefined && search.trim() !== '') {
    params.push(search);
    where += ` AND ts @@ plainto_tsquery('english', $2)`;
  }
  const total = await q.query<{ count: number }>(`SELECT count(*)::int AS count FROM twerk.task_log_parts WHERE ${where}`, params);
  const items = await q.query<LogPartRecord>(
    `SELECT id::text AS id, number, task_id AS "taskId", contents, created_at AS "createdAt" FROM twerk.task_log_parts
     WHERE ${where} ORDER BY created_at DESC, number DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, size, (page - 1) * size],
  );
  return { items: items.rows, totalItems: total.rows[0]?.count ?? 0 };
}

/**
 * Deletes up to `limit` log parts stored more than `ageMs` ago, oldest first; parts another deleter
 * holds are skipped, so several coordinators share a backlog. Answers how many went.
 */
export async function deleteLogPartsOlderThan(q: Queryable, ageMs: number, limit: number): Promise<number> {
  const result = await q.query(
    `DELETE FROM twerk.task_log_parts WHERE id IN (
       SELECT id FROM twerk.task_log_parts WHERE created_at < now() - $1::double precision * interval '1 millisecond'
       ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [ageMs, limit],
  );
  return result.rowCount;
}
