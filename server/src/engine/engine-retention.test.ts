/**
 * Retention through the engine, on PostgreSQL and PGlite: the coordinator's first pass, soon after it
 * starts, deletes what is already past the configured retention; autoDelete marks only completed jobs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../db/migrate.ts';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import { startEngine, type Engine } from './engine.ts';
import { addJob, addTask, count, HOUR, until } from './testing-rows.ts';
import type { TaskRunner } from './runner.ts';
import { jobDocument } from './testing.ts';

/** Fails the task named `fail`; completes the others. */
const runner: TaskRunner = {
  async run(task) {
    return task.spec.name === 'fail' ? { status: 'failed', error: 'asked to' } : { status: 'completed', result: 'ok' };
  },
};

describe.each(TEST_BACKENDS)('an engine with retention on %s', (_name, create) => {
  let test: TestDatabase;
  let engine: Engine;

  beforeAll(async () => {
    test = await create();
    // A backlog from before the coordinator started: it goes in the first pass, soon after the start.
    await migrate(test.db);
    await addJob(test.db, 'ancient', 'FAILED');
    await addTask(test.db, 'ancient', 'ancient.task');
    await addJob(test.db, 'working', 'RUNNING');
    await addTask(test.db, 'working', 'working.task', 2);
    await test.db.query("UPDATE twerk.jobs SET failed_at = now() - interval '2 hours' WHERE id = 'ancient'");
    await test.db.query("UPDATE twerk.task_log_parts SET created_at = now() - interval '2 hours' WHERE task_id = 'working.task' AND number = 1");
    engine = await startEngine({
      db: test.db as TestDatabase['db'] & { pglite?: never },
      ...(test.url !== undefined ? { url: test.url } : {}),
      coordinator: true,
      worker: { runner, queues: { default: 1 }, nodeId: 'retention' },
      retention: { logsMs: HOUR, jobsMs: HOUR },
      onError: (error) => console.error('engine background error:', error),
    });
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await test?.dispose();
  });

  it('deletes what is already past retention soon after it starts', async () => {
    await until('the first retention pass', async () => ((await count(test.db, "twerk.jobs WHERE id = 'ancient'")) === 0 ? true : undefined), 10_000);
    expect((await test.db.query<{ number: number }>("SELECT number FROM twerk.task_log_parts WHERE task_id = 'working.task'")).rows).toEqual([{ number: 2 }]);
  });

  it('auto-deletes only jobs that complete: a failed job with autoDelete is kept', async () => {
    const doc = (task: string) => jobDocument(`name: ${task}s\nautoDelete: { after: 1h }\ntasks:\n  - { name: ${task}, run: "true" }\n`);
    const completed = await engine.submit(doc('succeed'));
    const failed = await engine.submit(doc('fail'));
    expect(await engine.waitForJob(completed, 20_000)).toMatchObject({ state: 'COMPLETED' });
    expect(await engine.waitForJob(failed, 20_000)).toMatchObject({ state: 'FAILED' });
    const deleteAt = async (id: string) => (await test.db.query<{ set: boolean }>('SELECT delete_at IS NOT NULL AS set FROM twerk.jobs WHERE id = $1', [id])).rows[0]?.set;
    expect(await deleteAt(completed)).toBe(true);
    expect(await deleteAt(failed)).toBe(false);
  });
});
