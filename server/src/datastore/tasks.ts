/** SQL for task records: one row per attempt of a task. */
import type { TaskDocument } from '@twerk/contract';
import type { Queryable } from '../db/database.ts';

export type TaskState = 'CREATED' | 'PENDING' | 'SCHEDULED' | 'RUNNING' | 'CANCELLED' | 'COMPLETED' | 'FAILED' | 'SKIPPED';
export const ACTIVE_TASK_STATES: readonly TaskState[] = ['CREATED', 'PENDING', 'SCHEDULED', 'RUNNING'];

export interface TaskRecord {
  readonly id: string;
  readonly jobId: string;
  readonly parentId: string | null;
  readonly position: number;
  readonly name: string | null;
  readonly state: TaskState;
  readonly createdAt: Date;
  readonly scheduledAt: Date | null;
  readonly startedAt: Date | null;
  readonly completedAt: Date | null;
  readonly failedAt: Date | null;
  /** The task with its templates evaluated and defaults applied: what the worker runs. */
  readonly spec: TaskDocument;
  readonly queue: string;
  readonly priority: number;
  readonly attempt: number;
  readonly nodeId: string | null;
  readonly result: string | null;
  readonly error: string | null;
  readonly exitCode: number | null;
  readonly progress: number;
  /** Composite parents: how many children, and how many of them have finished. */
  readonly childCount: number | null;
  readonly completions: number;
  /** Order among siblings (each items in list order). */
  readonly sequence: number;
  /** An each child waiting its turn: the loop variable's name, index and value. */
  readonly bindings: { readonly variable: string; readonly index: number; readonly value: unknown } | null;
}

const COLUMNS: Readonly<Record<string, string>> = {
  id: 'id', jobId: 'job_id', parentId: 'parent_id', position: 'position', name: 'name', state: 'state', createdAt: 'created_at',
  scheduledAt: 'scheduled_at', startedAt: 'started_at', completedAt: 'completed_at', failedAt: 'failed_at', spec: 'spec', queue: 'queue',
  priority: 'priority', attempt: 'attempt', nodeId: 'node_id', result: 'result', error: 'error', exitCode: 'exit_code', progress: 'progress',
  childCount: 'child_count', completions: 'completions', sequence: 'sequence', bindings: 'bindings',
};
const SELECT = `SELECT ${Object.entries(COLUMNS).map(([field, column]) => `${column} AS "${field}"`).join(', ')} FROM twerk.tasks`;

function encode(field: string, value: unknown): unknown {
  return field === 'spec' || field === 'bindings' ? JSON.stringify(value) : value;
}

export type NewTask = Omit<TaskRecord, 'createdAt' | 'startedAt' | 'completedAt' | 'failedAt' | 'nodeId' | 'result' | 'error' | 'exitCode' | 'progress' | 'childCount' | 'completions' | 'sequence' | 'bindings'> &
  Partial<Pick<TaskRecord, 'completedAt' | 'failedAt' | 'error' | 'childCount' | 'sequence' | 'startedAt' | 'bindings' | 'result'>>;

export async function insertTask(q: Queryable, task: NewTask): Promise<void> {
  const fields = Object.keys(task).filter((field) => field in COLUMNS && (task as Record<string, unknown>)[field] !== undefined);
  await q.query(
    `INSERT INTO twerk.tasks (${fields.map((field) => COLUMNS[field]).join(', ')}) VALUES (${fields.map((_, index) => `$${index + 1}`).join(', ')})`,
    fields.map((field) => encode(field, (task as Record<string, unknown>)[field])),
  );
}

export async function getTask(q: Queryable, id: string): Promise<TaskRecord | undefined> {
  return (await q.query<TaskRecord>(`${SELECT} WHERE id = $1`, [id])).rows[0];
}

export async function lockTask(q: Queryable, id: string): Promise<TaskRecord | undefined> {
  return (await q.query<TaskRecord>(`${SELECT} WHERE id = $1 FOR UPDATE`, [id])).rows[0];
}

export type TaskPatch = Partial<Omit<TaskRecord, 'id' | 'jobId' | 'createdAt' | 'spec'>>;

export async function updateTask(q: Queryable, id: string, patch: TaskPatch): Promise<void> {
  const fields = Object.keys(patch).filter((field) => field in COLUMNS);
  if (fields.length === 0) return;
  await q.query(
    `UPDATE twerk.tasks SET ${fields.map((field, index) => `${COLUMNS[field]} = $${index + 2}`).join(', ')} WHERE id = $1`,
    [id, ...fields.map((field) => (patch as Record<string, unknown>)[field])],
  );
}

/** Every task record of a job, in Tork's execution order: position, then creation. */
export async function tasksOfJob(q: Queryable, jobId: string): Promise<TaskRecord[]> {
  return (await q.query<TaskRecord>(`${SELECT} WHERE job_id = $1 ORDER BY position, created_at, id`, [jobId])).rows;
}

/** Marks every active task of a job with `state`; answers their ids (the ones a worker may be running). */
export async function settleActiveTasks(q: Queryable, jobId: string, state: TaskState): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `UPDATE twerk.tasks SET state = $2, completed_at = CASE WHEN $2 = 'CANCELLED' THEN now() ELSE completed_at END
     WHERE job_id = $1 AND state = ANY($3::text[]) RETURNING id`,
    [jobId, state, ACTIVE_TASK_STATES],
  );
  return rows.rows.map((row) => row.id);
}

/** SCHEDULED → RUNNING on the worker's word; a no-op for a task in any other state. */
export async function markRunning(q: Queryable, id: string, nodeId: string): Promise<boolean> {
  const result = await q.query("UPDATE twerk.tasks SET state = 'RUNNING', started_at = now(), node_id = $2 WHERE id = $1 AND state = 'SCHEDULED'", [id, nodeId]);
  return result.rowCount > 0;
}

/** The next child of `parentId` waiting for its turn (CREATED), in sibling order, locked. */
export async function nextWaitingChild(q: Queryable, parentId: string): Promise<TaskRecord | undefined> {
  return (await q.query<TaskRecord>(`${SELECT} WHERE parent_id = $1 AND state = 'CREATED' ORDER BY sequence, id LIMIT 1 FOR UPDATE`, [parentId])).rows[0];
}

/** Cancels the active children of a parent (recursively through nested composites); answers their ids. */
export async function cancelDescendants(q: Queryable, parentId: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `WITH RECURSIVE tree AS (
       SELECT id FROM twerk.tasks WHERE parent_id = $1
       UNION ALL SELECT t.id FROM twerk.tasks t JOIN tree ON t.parent_id = tree.id)
     UPDATE twerk.tasks SET state = 'CANCELLED', completed_at = now()
     WHERE id IN (SELECT id FROM tree) AND state = ANY($2::text[]) RETURNING id`,
    [parentId, ACTIVE_TASK_STATES],
  );
  return rows.rows.map((row) => row.id);
}

export async function deleteTask(q: Queryable, id: string): Promise<void> {
  await q.query('DELETE FROM twerk.tasks WHERE id = $1', [id]);
}
