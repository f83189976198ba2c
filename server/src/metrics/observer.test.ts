/**
 * The coordinator tells its observer (the metrics) of the task attempts it finished, once their
 * transaction commits: a redelivered report finishes nothing again, and an attempt lost with its
 * worker counts as failed though the task goes on. On PostgreSQL and PGlite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleTaskReports, JobBodies, requeueLostTasks, type CoordinatorDeps, type TaskOutcome } from '../coordinator/coordinator.ts';
import { migrate } from '../db/migrate.ts';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import { addJob } from '../engine/testing-rows.ts';

describe.each(TEST_BACKENDS)('the coordinator observer on %s', (_backend, createDatabase) => {
  let test: TestDatabase;
  let deps: CoordinatorDeps;
  const heard: TaskOutcome[][] = [];

  beforeAll(async () => {
    test = await createDatabase();
    await migrate(test.db);
    // These transactions send no message: a broker that is touched would throw.
    deps = { db: test.db, broker: {} as CoordinatorDeps['broker'], bodies: new JobBodies(), observer: { tasksFinished: (outcomes) => void heard.push([...outcomes]) } };
  }, 60_000);

  afterAll(async () => {
    await test?.dispose();
  });

  const runningTask = (id: string, job: string, startedSecondsAgo: number, lease = "now() + interval '1 hour'") =>
    test.db.query(`INSERT INTO twerk.tasks (id, job_id, position, state, spec, queue, started_at, lease_expires_at) VALUES ($1, $2, 1, 'RUNNING', '{}', 'default', now() - $3::int * interval '1 second', ${lease})`, [id, job, startedSecondsAgo]);

  it('hears of a completed task with its duration, once', async () => {
    heard.length = 0;
    await addJob(test.db, 'o-job', 'RUNNING');
    await runningTask('o-task', 'o-job', 4);
    const report = { type: 'completed' as const, taskId: 'o-task', result: 'done' };
    await handleTaskReports(deps, [report]);
    await handleTaskReports(deps, [report]); // redelivered: already COMPLETED
    expect(heard).toHaveLength(1);
    expect(heard[0]).toEqual([{ state: 'COMPLETED', durationMs: expect.any(Number) }]);
    expect(heard[0]![0]!.durationMs).toBeGreaterThanOrEqual(3_000);
  });

  it('counts an attempt lost with its worker as failed, though the task runs again', async () => {
    heard.length = 0;
    await addJob(test.db, 'o-lost-job', 'RUNNING');
    await runningTask('o-lost', 'o-lost-job', 2, "now() - interval '1 second'");
    expect(await requeueLostTasks(deps)).toBe(1);
    expect(heard).toEqual([[{ state: 'FAILED', durationMs: expect.any(Number) }]]);
    const attempts = await test.db.query<{ state: string }>("SELECT state FROM twerk.tasks WHERE job_id = 'o-lost-job' ORDER BY attempt");
    expect(attempts.rows.map((row) => row.state)).toEqual(['FAILED', 'SCHEDULED']);
  });

  it('hears nothing of a transaction that rolled back', async () => {
    heard.length = 0;
    await addJob(test.db, 'o-rolled', 'RUNNING');
    await runningTask('o-rolled-task', 'o-rolled', 1);
    // The job's definition is unreadable, so settling fails after the task was marked COMPLETED.
    await test.db.query("UPDATE twerk.jobs SET document = 'null' WHERE id = 'o-rolled'");
    await expect(handleTaskReports(deps, [{ type: 'completed', taskId: 'o-rolled-task', result: '' }])).rejects.toThrow();
    expect(heard).toEqual([]);
    expect((await test.db.query<{ state: string }>("SELECT state FROM twerk.tasks WHERE id = 'o-rolled-task'")).rows[0]!.state).toBe('RUNNING');
  });
});
