/**
 * SQL for task records: one row per attempt of a task. Statements that touch many tasks take their
 * rows as one JSON parameter (jsonb_to_recordset), so a fan-out of thousands is one statement, and
 * every transition is guarded by the states it may leave, so a redelivered report changes nothing.
 */
import type { TaskDocument } from '@twerk/contract';
import type { Queryable } from '../db/database.ts';

export type TaskState = 'CREATED' | 'PENDING' | 'SCHEDULED' | 'RUNNING' | 'CANCELLED' | 'COMPLETED' | 'FAILED' | 'SKIPPED';

/** The each-loop binding of an each child: the loop variable's name, the item's index and value. */
export interface EachBinding {
  readonly variable: string;
  readonly index: number;
  readonly value: unknown;
}

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
  /** Composite parents: how many children, and how many of them completed or failed. */
  readonly childCount: number | null;
  readonly completions: number;
  readonly failures: number;
  /** Order among siblings (each items in list order, parallel children in document order). */
  readonly sequence: number;
  /** Each children: the loop binding (a waiting child is evaluated with it when released). */
  readonly bindings: EachBinding | null;
  /** A retry is not claimed before this. */
  readonly runAfter: Date | null;
  /** A RUNNING task's worker must renew its claim before this, or the task is run again. */
  readonly leaseExpiresAt: Date | null;
  /** An HTTP worker's claim: the id in its calls' URLs, and the TTL each renewal extends it by. */
  readonly leaseId: string | null;
  readonly leaseTtlMs: number | null;
  /** What the task's worker set with `::set-output key=value` (or sent with its completion). */
  readonly outputs: Record<string, string> | null;
}

const COLUMNS: Readonly<Record<string, string>> = {
  id: 'id', jobId: 'job_id', parentId: 'parent_id', position: 'position', name: 'name', state: 'state', createdAt: 'created_at',
  scheduledAt: 'scheduled_at', startedAt: 'started_at', completedAt: 'completed_at', failedAt: 'failed_at', spec: 'spec', queue: 'queue',
  priority: 'priority', attempt: 'attempt', nodeId: 'node_id', result: 'result', error: 'error', exitCode: 'exit_code', progress: 'progress',
  childCount: 'child_count', completions: 'completions', failures: 'failures', sequence: 'sequence', bindings: 'bindings',
  runAfter: 'run_after', leaseExpiresAt: 'lease_expires_at', leaseId: 'lease_id', leaseTtlMs: 'lease_ttl_ms', outputs: 'outputs',
};
const FIELDS = (table: string) => Object.entries(COLUMNS).map(([field, column]) => `${table}.${column} AS "${field}"`).join(', ');
const SELECT = `SELECT ${FIELDS('t')} FROM twerk.tasks t`;
const ACTIVE = `('CREATED', 'PENDING', 'SCHEDULED', 'RUNNING')`;

/**
 * What settling a finished task needs of it — read back from the statement that finished it. Whole
 * records are costly to return by the hundred (PGlite's result decoding dominates), so only failures,
 * which may be retried, bring their definition along.
 */
export interface SettledTask {
  readonly id: string;
  readonly jobId: string;
  readonly parentId: string | null;
  readonly position: number;
  readonly sequence: number;
  readonly name: string | null;
  readonly attempt: number;
  readonly childCount: number | null;
  /** The task's `var`: its result goes into the job context under this name. */
  readonly variable: string | null;
  readonly queue: string;
  readonly priority: number;
  readonly bindings: EachBinding | null;
  readonly spec?: TaskDocument;
  /** When it started running (null: it never did); with `endedAt`, its duration for /metrics. */
  readonly startedAt?: Date | null;
  /** When it completed or failed (null: not yet, as for a composite whose last child just finished). */
  readonly endedAt?: Date | null;
}

const SETTLED = `RETURNING t.id, t.job_id AS "jobId", t.parent_id AS "parentId", t.position, t.sequence, t.name, t.attempt,
  t.child_count AS "childCount", t.spec->>'var' AS variable, t.queue, t.priority, t.bindings,
  t.started_at AS "startedAt", coalesce(t.completed_at, t.failed_at) AS "endedAt"`;

/** A composite parent as its children's outcomes leave it. */
export interface ParentTally extends SettledTask {
  readonly completions: number;
  readonly failures: number;
  /** Fails at its first failed child (the default), or lets them all finish. */
  readonly failFast: boolean;
  /** An each: at most this many children run at once (null: no limit, or a parallel). */
  readonly concurrency: number | null;
}

/** A task a worker claimed: what it needs to run it, and the claim. */
export interface ClaimedTask {
  readonly id: string;
  readonly jobId: string;
  readonly spec: TaskDocument;
  readonly queue: string;
  readonly attempt: number;
  readonly startedAt: Date;
  readonly leaseExpiresAt: Date;
  /** Set for a claim made with `leaseTtlMs` (an HTTP worker's). */
  readonly leaseId: string | null;
}

export interface ClaimOptions {
  /** The queues to take from (a task of any of them, highest priority first). */
  readonly queues: readonly string[];
  readonly limit: number;
  readonly nodeId: string;
  readonly leaseMs: number;
  /** Give each claim a lease id to be called by (HTTP workers), renewed by `leaseMs` each time. */
  readonly withLeaseId?: boolean;
}

export interface NewTask {
  readonly id: string;
  readonly jobId: string;
  readonly parentId: string | null;
  readonly position: number;
  readonly sequence: number;
  readonly name: string | null;
  state: TaskState;
  readonly spec: TaskDocument;
  readonly queue: string;
  readonly priority: number;
  readonly attempt: number;
  scheduledAt?: Date | null;
  startedAt?: Date | null;
  completedAt?: Date | null;
  failedAt?: Date | null;
  error?: string | null;
  result?: string | null;
  progress?: number;
  childCount?: number | null;
  completions?: number;
  failures?: number;
  readonly bindings?: EachBinding | null;
  runAfter?: Date | null;
  /** A state machine's name for this task or wait (see contract's TaskRequest.key). */
  readonly machineKey?: string | null;
}

/** Column types of a new task row, for jsonb_to_recordset. */
const NEW_TASK_COLUMNS = `id text, job_id text, parent_id text, position integer, sequence integer, name text, state text,
  spec jsonb, queue text, priority integer, attempt integer, scheduled_at timestamptz, started_at timestamptz,
  completed_at timestamptz, failed_at timestamptz, error text, result text, progress double precision,
  child_count integer, completions integer, failures integer, bindings jsonb, run_after timestamptz, machine_key text`;

function row(task: NewTask) {
  return {
    id: task.id, job_id: task.jobId, parent_id: task.parentId, position: task.position, sequence: task.sequence, name: task.name,
    state: task.state, spec: task.spec, queue: task.queue, priority: task.priority, attempt: task.attempt,
    scheduled_at: task.scheduledAt ?? null, started_at: task.startedAt ?? null, completed_at: task.completedAt ?? null,
    failed_at: task.failedAt ?? null, error: task.error ?? null, result: task.result ?? null, progress: task.progress ?? 0,
    child_count: task.childCount ?? null, completions: task.completions ?? 0, failures: task.failures ?? 0, bindings: task.bindings ?? null,
    run_after: task.runAfter ?? null, machine_key: task.machineKey ?? null,
  };
}

/** Inserts any number of task records in one statement per thousand. */
export async function insertTasks(q: Queryable, tasks: readonly NewTask[]): Promise<void> {
  for (let start = 0; start < tasks.length; start += 1000) {
    const chunk = tasks.slice(start, start + 1000).map(row);
    await q.query(
      `INSERT INTO twerk.tasks (id, job_id, parent_id, position, sequence, name, state, spec, queue, priority, attempt, scheduled_at,
         started_at, completed_at, failed_at, error, result, progress, child_count, completions, failures, bindings, run_after, machine_key)
       SELECT id, job_id, parent_id, position, sequence, name, state, spec, queue, priority, attempt, scheduled_at,
         started_at, completed_at, failed_at, error, result, progress, child_count, completions, failures, bindings, run_after, machine_key
       FROM jsonb_to_recordset($1::jsonb) AS r(${NEW_TASK_COLUMNS})`,
      [JSON.stringify(chunk)],
    );
  }
}

export async function getTask(q: Queryable, id: string): Promise<TaskRecord | undefined> {
  return (await q.query<TaskRecord>(`${SELECT} WHERE t.id = $1`, [id])).rows[0];
}

export type TaskPatch = Partial<Omit<TaskRecord, 'id' | 'jobId' | 'createdAt' | 'spec'>>;

export async function updateTask(q: Queryable, id: string, patch: TaskPatch): Promise<void> {
  const fields = Object.keys(patch).filter((field) => field in COLUMNS);
  if (fields.length === 0) return;
  await q.query(
    `UPDATE twerk.tasks SET ${fields.map((field, index) => `${COLUMNS[field]} = $${index + 2}`).join(', ')} WHERE id = $1`,
    [id, ...fields.map((field) => {
      const value = (patch as Record<string, unknown>)[field];
      return field === 'bindings' && value !== null ? JSON.stringify(value) : value;
    })],
  );
}

/** Every task record of a job, in Tork's execution order: position, then creation. */
export async function tasksOfJob(q: Queryable, jobId: string): Promise<TaskRecord[]> {
  return (await q.query<TaskRecord>(`${SELECT} WHERE t.job_id = $1 ORDER BY t.position, t.created_at, t.sequence, t.id`, [jobId])).rows;
}

/** Every record of `parentId`'s children, in sibling order and, per sibling, oldest attempt first. */
export async function childrenOf(q: Queryable, parentId: string): Promise<TaskRecord[]> {
  return (await q.query<TaskRecord>(`${SELECT} WHERE t.parent_id = $1 ORDER BY t.sequence, t.created_at, t.id`, [parentId])).rows;
}

/** The newest record of the top-level task at `position` (the one a restart resumes). */
export async function latestTopLevelTask(q: Queryable, jobId: string, position: number): Promise<TaskRecord | undefined> {
  return (await q.query<TaskRecord>(`${SELECT} WHERE t.job_id = $1 AND t.position = $2 AND t.parent_id IS NULL ORDER BY t.created_at DESC, t.id DESC LIMIT 1`, [jobId, position])).rows[0];
}

/** Marks every active task of a job with `state`; answers their ids (the ones a worker may be running). */
export async function settleActiveTasks(q: Queryable, jobId: string, state: TaskState): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `UPDATE twerk.tasks SET state = $2, completed_at = CASE WHEN $2 = 'CANCELLED' THEN now() ELSE completed_at END
     WHERE job_id = $1 AND state IN ${ACTIVE} RETURNING id`,
    [jobId, state],
  );
  return rows.rows.map((record) => record.id);
}

/**
 * Claims up to `limit` ready tasks of a work queue for a worker — highest priority first, then the
 * longest waiting — and leases them to it for `leaseMs`. Workers claiming at once skip each other's
 * rows, so a task goes to exactly one of them.
 */
export async function claimReady(q: Queryable, options: ClaimOptions): Promise<ClaimedTask[]> {
  if (options.limit <= 0 || options.queues.length === 0) return [];
  const result = await q.query<ClaimedTask>(
    `UPDATE twerk.tasks t SET state = 'RUNNING', started_at = now(), node_id = $3, lease_expires_at = now() + $4::double precision * interval '1 millisecond',
       lease_id = CASE WHEN $5::boolean THEN gen_random_uuid()::text END, lease_ttl_ms = CASE WHEN $5::boolean THEN $4::integer END
     FROM (SELECT id FROM twerk.tasks WHERE queue = ANY($1::text[]) AND queue NOT LIKE 'x-%' AND state = 'SCHEDULED' AND (run_after IS NULL OR run_after <= now())
           ORDER BY priority DESC, scheduled_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) ready
     WHERE t.id = ready.id
     RETURNING t.id, t.job_id AS "jobId", t.spec, t.queue, t.attempt, t.started_at AS "startedAt", t.lease_expires_at AS "leaseExpiresAt", t.lease_id AS "leaseId"`,
    [options.queues, options.limit, options.nodeId, options.leaseMs, options.withLeaseId === true],
  );
  return result.rows;
}

/** When the first retry waiting in these queues becomes ready (a claim that found nothing may wait until then). */
export async function nextRetryAt(q: Queryable, queues: readonly string[]): Promise<Date | undefined> {
  const rows = await q.query<{ at: Date | null }>("SELECT min(run_after) AS at FROM twerk.tasks WHERE queue = ANY($1::text[]) AND state = 'SCHEDULED' AND run_after > now()", [queues]);
  return rows.rows[0]?.at ?? undefined;
}

/** A worker still running these tasks extends its leases; answers the ones it still holds. */
export async function renewLeases(q: Queryable, ids: readonly string[], nodeId: string, leaseMs: number): Promise<string[]> {
  if (ids.length === 0) return [];
  const result = await q.query<{ id: string }>(
    `UPDATE twerk.tasks SET lease_expires_at = now() + $3::double precision * interval '1 millisecond'
     WHERE id = ANY($1::text[]) AND state = 'RUNNING' AND node_id = $2 RETURNING id`,
    [ids, nodeId, leaseMs],
  );
  return result.rows.map((record) => record.id);
}

/** The task an HTTP worker's lease names, and whether the lease is live by the database's clock. */
export async function taskByLease(q: Queryable, leaseId: string): Promise<(TaskRecord & { readonly live: boolean }) | undefined> {
  const sql = `SELECT ${FIELDS('t')}, (t.state = 'RUNNING' AND t.lease_expires_at >= clock_timestamp()) AS live FROM twerk.tasks t WHERE t.lease_id = $1`;
  return (await q.query<TaskRecord & { live: boolean }>(sql, [leaseId])).rows[0];
}

/** Renews a live HTTP lease by its own TTL; answers the new expiry, or nothing when the lease is not live. */
export async function renewLease(q: Queryable, leaseId: string): Promise<Date | undefined> {
  const rows = await q.query<{ expiresAt: Date }>(
    `UPDATE twerk.tasks SET lease_expires_at = clock_timestamp() + lease_ttl_ms * interval '1 millisecond'
     WHERE lease_id = $1 AND state = 'RUNNING' AND lease_expires_at >= clock_timestamp() RETURNING lease_expires_at AS "expiresAt"`,
    [leaseId],
  );
  return rows.rows[0]?.expiresAt;
}

/** Adds outputs a running task's worker set. */
export async function addOutputs(q: Queryable, taskId: string, outputs: Readonly<Record<string, string>>): Promise<void> {
  if (Object.keys(outputs).length === 0) return;
  await q.query("UPDATE twerk.tasks SET outputs = coalesce(outputs, '{}'::jsonb) || $2::jsonb WHERE id = $1", [taskId, JSON.stringify(outputs)]);
}

/** The outputs of a job's completed tasks, by task id (seed 004's `upstream_outputs`). */
export async function upstreamOutputs(q: Queryable, jobId: string): Promise<Record<string, Record<string, string>>> {
  const rows = await q.query<{ id: string; outputs: Record<string, string> }>("SELECT id, outputs FROM twerk.tasks WHERE job_id = $1 AND state = 'COMPLETED' AND outputs IS NOT NULL", [jobId]);
  return Object.fromEntries(rows.rows.map((row) => [row.id, row.outputs]));
}

export interface QueueCounts {
  readonly name: string;
  /** Tasks ready or waiting for a retry's backoff. */
  readonly size: number;
  /** Tasks claimed and running. */
  readonly active: number;
}

/** The work queues that have tasks waiting or running, with their counts. */
export async function queueCounts(q: Queryable): Promise<QueueCounts[]> {
  const rows = await q.query<QueueCounts>(
    `SELECT queue AS name, count(*) FILTER (WHERE state = 'SCHEDULED')::int AS size, count(*) FILTER (WHERE state = 'RUNNING')::int AS active
     FROM twerk.tasks WHERE state IN ('SCHEDULED', 'RUNNING') AND queue NOT LIKE 'x-%' GROUP BY queue ORDER BY queue`,
  );
  return rows.rows;
}

export const ACTIVE_TASK_STATES = ['CREATED', 'PENDING', 'SCHEDULED', 'RUNNING'] as const satisfies readonly TaskState[];
export type ActiveTaskState = (typeof ACTIVE_TASK_STATES)[number];

/**
 * Active tasks of RUNNING jobs, by state; a state no task is in is left out. A task of a job that
 * ended is not counted, whatever its record says (as Tork counts running tasks).
 */
export async function countActiveTasks(q: Queryable): Promise<Partial<Record<ActiveTaskState, number>>> {
  const rows = await q.query<{ state: ActiveTaskState; n: number }>(
    `SELECT t.state, count(*)::int AS n FROM twerk.tasks t JOIN twerk.jobs j ON j.id = t.job_id
     WHERE t.state = ANY($1::text[]) AND j.state = 'RUNNING' GROUP BY t.state`,
    [ACTIVE_TASK_STATES],
  );
  return Object.fromEntries(rows.rows.map((row) => [row.state, row.n]));
}

/** The tasks waiting in a queue, locked: what purging it fails. */
export async function lockWaitingInQueue(q: Queryable, queue: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>("SELECT id FROM twerk.tasks WHERE queue = $1 AND state = 'SCHEDULED' ORDER BY id FOR UPDATE", [queue]);
  return rows.rows.map((row) => row.id);
}

/** A stopping worker gives back tasks it claimed but will not finish: ready again, as the same attempt. */
export async function releaseTasks(q: Queryable, ids: readonly string[], nodeId: string): Promise<void> {
  if (ids.length === 0) return;
  await q.query(
    `UPDATE twerk.tasks SET state = 'SCHEDULED', started_at = NULL, node_id = NULL, lease_expires_at = NULL, lease_id = NULL, lease_ttl_ms = NULL
     WHERE id = ANY($1::text[]) AND state = 'RUNNING' AND node_id = $2`,
    [ids, nodeId],
  );
}

/** Up to `limit` RUNNING tasks whose lease ran out (their worker is gone), locked, skipping ones another coordinator took. */
export async function lockExpiredLeases(q: Queryable, limit: number): Promise<TaskRecord[]> {
  return (await q.query<TaskRecord>(`${SELECT} WHERE t.state = 'RUNNING' AND t.lease_expires_at < now() ORDER BY t.lease_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit])).rows;
}

/** The records of one task — all its attempts: the same job, parent, position and place among siblings. */
const SAME_TASK = 'job_id = $1 AND parent_id IS NOT DISTINCT FROM $2 AND position = $3 AND sequence = $4';
type TaskSlot = Pick<TaskRecord, 'jobId' | 'parentId' | 'position' | 'sequence'>;
const slotParams = (task: TaskSlot) => [task.jobId, task.parentId, task.position, task.sequence];

/** How many attempts of this task were lost with their worker. */
export async function lostAttempts(q: Queryable, task: TaskSlot, error: string): Promise<number> {
  const rows = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM twerk.tasks WHERE ${SAME_TASK} AND state = 'FAILED' AND error = $5`, [...slotParams(task), error]);
  return rows.rows[0]?.n ?? 0;
}

/** Whether this task has an attempt after `attempt` (it was retried). */
export async function hasLaterAttempt(q: Queryable, task: TaskSlot, attempt: number): Promise<boolean> {
  const rows = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM twerk.tasks WHERE ${SAME_TASK} AND attempt > $5`, [...slotParams(task), attempt]);
  return (rows.rows[0]?.n ?? 0) > 0;
}

/** SCHEDULED → RUNNING on a remote worker's word (the native worker claims its tasks RUNNING itself). */
export async function markStarted(q: Queryable, id: string, nodeId: string): Promise<void> {
  await q.query("UPDATE twerk.tasks SET state = 'RUNNING', started_at = coalesce(started_at, now()), node_id = $2 WHERE id = $1 AND state = 'SCHEDULED'", [id, nodeId]);
}

/** Of these tasks, the ones no longer SCHEDULED or RUNNING (cancelled, or gone): their runs must stop. */
export async function settledAmong(q: Queryable, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const result = await q.query<{ id: string }>(
    `SELECT id FROM unnest($1::text[]) AS wanted(id) WHERE NOT EXISTS (SELECT 1 FROM twerk.tasks t WHERE t.id = wanted.id AND t.state IN ('SCHEDULED', 'RUNNING'))`,
    [ids],
  );
  return result.rows.map((record) => record.id);
}

export interface Completion {
  readonly id: string;
  readonly result: string;
  /** When the worker saw the task end (kept within the record's start and the database's now). */
  readonly at: Date;
  /** An HTTP worker's report counts only while its lease is the task's and has not run out. */
  readonly leaseId?: string;
  /** Replaces the outputs the task had (the caller merges what it wants kept). */
  readonly outputs?: Readonly<Record<string, string>>;
}

/** The condition under which a lease-bound report may settle its task. */
const LIVE_LEASE = (leaseId: string) => `(${leaseId} IS NULL OR (t.lease_id = ${leaseId} AND t.lease_expires_at >= clock_timestamp()))`;

/** Active → COMPLETED for a batch of tasks; answers the ones that made the transition. */
export async function completeTasks(q: Queryable, completions: readonly Completion[]): Promise<SettledTask[]> {
  if (completions.length === 0) return [];
  const result = await q.query<SettledTask>(
    `UPDATE twerk.tasks t SET state = 'COMPLETED', result = r.result, progress = 100, lease_expires_at = NULL,
       completed_at = greatest(coalesce(t.started_at, t.scheduled_at), least(r.at, clock_timestamp())),
       outputs = coalesce(r.outputs, t.outputs)
     FROM jsonb_to_recordset($1::jsonb) AS r(id text, result text, at timestamptz, lease_id text, outputs jsonb)
     WHERE t.id = r.id AND t.state IN ('SCHEDULED', 'RUNNING') AND ${LIVE_LEASE('r.lease_id')} ${SETTLED}`,
    [JSON.stringify(completions)],
  );
  return result.rows;
}

export interface Failure {
  readonly id: string;
  readonly error: string;
  readonly exitCode?: number | null;
  readonly result?: string;
  readonly at: Date;
  readonly leaseId?: string;
  readonly retryable?: boolean;
}

/** Active → FAILED for one task; answers it, with its definition, if it made the transition. */
export async function failTask(q: Queryable, failure: Failure): Promise<SettledTask | undefined> {
  const result = await q.query<SettledTask>(
    `UPDATE twerk.tasks t SET state = 'FAILED', error = $2, exit_code = $3, result = coalesce($4, t.result), lease_expires_at = NULL,
       failed_at = greatest(coalesce(t.started_at, t.scheduled_at), least($5::timestamptz, clock_timestamp()))
     WHERE t.id = $1 AND t.state IN ('SCHEDULED', 'RUNNING') AND ${LIVE_LEASE('$6::text')} ${SETTLED}, t.spec`,
    [failure.id, failure.error, failure.exitCode ?? null, failure.result ?? null, failure.at, failure.leaseId ?? null],
  );
  return result.rows[0];
}

/** A task's reported progress, while it is active. */
export async function setProgress(q: Queryable, id: string, progress: number): Promise<void> {
  await q.query(`UPDATE twerk.tasks SET progress = $2 WHERE id = $1 AND state IN ('SCHEDULED', 'RUNNING')`, [id, progress]);
}

/**
 * Counts finished children on their RUNNING parent — one row lock per parent per batch of reports,
 * not per child — and answers the parent as it now stands (undefined when it is no longer RUNNING).
 */
export async function countChildOutcomes(q: Queryable, parentId: string, completed: number, failed: number): Promise<ParentTally | undefined> {
  const result = await q.query<ParentTally>(
    `UPDATE twerk.tasks t SET completions = t.completions + $2, failures = t.failures + $3,
       progress = CASE WHEN coalesce(t.child_count, 0) = 0 THEN 100 ELSE round((t.completions + t.failures + $2 + $3)::numeric / t.child_count * 100, 2)::double precision END
     WHERE t.id = $1 AND t.state = 'RUNNING'
     ${SETTLED}, t.completions, t.failures,
       coalesce(t.spec->'parallel'->'failFast', t.spec->'each'->'failFast') IS DISTINCT FROM 'false'::jsonb AS "failFast",
       nullif((t.spec->'each'->>'concurrency')::int, 0) AS concurrency`,
    [parentId, completed, failed],
  );
  return result.rows[0];
}

/** Up to `limit` children of `parentId` waiting their turn (CREATED), in sibling order, locked. */
export async function waitingChildren(q: Queryable, parentId: string, limit: number): Promise<TaskRecord[]> {
  if (limit <= 0) return [];
  return (await q.query<TaskRecord>(`${SELECT} WHERE t.parent_id = $1 AND t.state = 'CREATED' ORDER BY t.sequence, t.id LIMIT $2 FOR UPDATE`, [parentId, limit])).rows;
}

export async function deleteTasks(q: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await q.query('DELETE FROM twerk.tasks WHERE id = ANY($1::text[])', [ids]);
}

/** Cancels the active children of a parent (recursively through nested composites); answers their ids. */
export async function cancelDescendants(q: Queryable, parentId: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `WITH RECURSIVE tree AS (
       SELECT id FROM twerk.tasks WHERE parent_id = $1
       UNION ALL SELECT t.id FROM twerk.tasks t JOIN tree ON t.parent_id = tree.id)
     UPDATE twerk.tasks SET state = 'CANCELLED', completed_at = now()
     WHERE id IN (SELECT id FROM tree) AND state IN ${ACTIVE} RETURNING id`,
    [parentId],
  );
  return rows.rows.map((record) => record.id);
}

/** The children of `parentId` whose newest attempt FAILED (the ones a composite reports), in sibling order. */
export async function failedChildren(q: Queryable, parentId: string, limit: number): Promise<TaskRecord[]> {
  return (
    await q.query<TaskRecord>(
      `SELECT * FROM (SELECT DISTINCT ON (t.sequence) ${FIELDS('t')} FROM twerk.tasks t WHERE t.parent_id = $1 ORDER BY t.sequence, t.created_at DESC, t.id DESC) latest
       WHERE latest.state = 'FAILED' ORDER BY latest.sequence LIMIT $2`,
      [parentId, limit],
    )
  ).rows;
}

/**
 * Leaf tasks of a job by their newest attempt: how many there are and how many finished well. What
 * a restart resets the job's leaf counters to before it re-creates the failed ones.
 */
export async function countLeaves(q: Queryable, jobId: string): Promise<{ total: number; done: number }> {
  const rows = await q.query<{ total: number; done: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE state IN ('COMPLETED', 'SKIPPED'))::int AS done FROM (
       SELECT DISTINCT ON (coalesce(parent_id, ''), position, sequence) state, child_count FROM twerk.tasks WHERE job_id = $1
       ORDER BY coalesce(parent_id, ''), position, sequence, created_at DESC, id DESC) latest
     WHERE child_count IS NULL OR child_count = 0`,
    [jobId],
  );
  return rows.rows[0] ?? { total: 0, done: 0 };
}

/** The private queue of a machine's durable waits: no worker serves it, coordinators complete its tasks when they are due. */
export const TIMER_QUEUE = 'x-timers';

/** What a machine execution's tasks and waits have come to, by key (the latest attempt of each key). */
export interface MachineStep {
  readonly key: string;
  readonly id: string;
  readonly state: TaskState;
  readonly result: string | null;
  readonly error: string | null;
}

export async function machineSteps(q: Queryable, jobId: string): Promise<MachineStep[]> {
  return (
    await q.query<MachineStep>(
      'SELECT machine_key AS key, id, state, result, error FROM twerk.tasks WHERE job_id = $1 AND machine_key IS NOT NULL',
      [jobId],
    )
  ).rows;
}

/** Locks a batch of durable waits whose time has come. */
export async function lockDueTimers(q: Queryable, limit: number): Promise<string[]> {
  const result = await q.query<{ id: string }>(
    `SELECT id FROM twerk.tasks WHERE queue = '${TIMER_QUEUE}' AND state = 'SCHEDULED' AND run_after <= now() ORDER BY run_after LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return result.rows.map((row) => row.id);
}

/** Removes a machine's failed and cancelled steps, so a restarted execution runs them again. */
export async function forgetUnfinishedSteps(q: Queryable, jobId: string): Promise<number> {
  const result = await q.query("DELETE FROM twerk.tasks WHERE job_id = $1 AND machine_key IS NOT NULL AND state IN ('FAILED', 'CANCELLED')", [jobId]);
  return result.rowCount ?? 0;
}
