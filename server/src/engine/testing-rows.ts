/** Rows written straight into the tables, for tests that backdate them with SQL instead of waiting. */
import type { Database } from '../db/database.ts';

export const HOUR = 3_600_000;

/** Polls until `probe` answers something. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A job record; `parentTask` makes it an attached sub-job of that task. */
export async function addJob(db: Database, id: string, state: string, parentTask: string | null = null): Promise<void> {
  await db.query("INSERT INTO twerk.jobs (id, parent_id, name, state, document) VALUES ($1, $2, $1, $3, '{}')", [id, parentTask, state]);
}

/** A task of the job with `logs` log parts. */
export async function addTask(db: Database, jobId: string, id: string, logs = 1): Promise<void> {
  await db.query("INSERT INTO twerk.tasks (id, job_id, position, state, spec) VALUES ($1, $2, 1, 'COMPLETED', '{}')", [id, jobId]);
  await db.query("INSERT INTO twerk.task_log_parts (task_id, number, contents) SELECT $1, n, 'line ' || n FROM generate_series(1, $2::int) AS n", [id, logs]);
}

export async function ids(db: Database, table: 'jobs' | 'tasks'): Promise<string[]> {
  return (await db.query<{ id: string }>(`SELECT id FROM twerk.${table} ORDER BY id`)).rows.map((row) => row.id);
}

export async function count(db: Database, sql: string): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0]!.n;
}
