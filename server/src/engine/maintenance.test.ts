/**
 * Retention on PostgreSQL and PGlite: old log parts and long-ended job trees are deleted a bounded
 * batch at a time, interleaved with the rest of the housekeeping; running jobs and recent rows stay.
 * Rows are backdated with SQL instead of waiting.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../db/migrate.ts';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import { startMaintenance, type Maintenance, type MaintenanceOptions } from './maintenance.ts';
import { addJob, addTask, count, HOUR, ids, until } from './testing-rows.ts';

const RETENTION = { logsMs: 168 * HOUR, jobsMs: 8760 * HOUR };

describe.each(TEST_BACKENDS)('retention on %s', (_name, create) => {
  let test: TestDatabase;
  let maintenance: Maintenance | undefined;

  function start(options: Partial<MaintenanceOptions> = {}): Maintenance {
    // The timer stays out of the way unless a test asks for it; retainOnce runs a step at will.
    maintenance = startMaintenance({ db: test.db, requeueLost: async () => 0, onError: (error) => console.error(error), intervalMs: 3_600_000, retention: RETENTION, ...options });
    return maintenance;
  }

  beforeAll(async () => {
    test = await create();
    await migrate(test.db);
  }, 60_000);

  beforeEach(async () => {
    await test.db.query('DELETE FROM twerk.jobs');
  });

  afterEach(async () => {
    await maintenance?.stop();
    maintenance = undefined;
  });

  afterAll(async () => {
    await test?.dispose();
  });

  it('deletes log parts older than the logs retention and keeps the recent ones', async () => {
    await addJob(test.db, 'running', 'RUNNING');
    await addTask(test.db, 'running', 'talker', 3);
    await test.db.query("UPDATE twerk.task_log_parts SET created_at = now() - interval '169 hours' WHERE number <= 2");
    await test.db.query("UPDATE twerk.task_log_parts SET created_at = now() - interval '167 hours' WHERE number = 3");

    expect(await start().retainOnce()).toEqual({ logs: 2, jobs: 0 });
    expect((await test.db.query<{ number: number }>('SELECT number FROM twerk.task_log_parts')).rows).toEqual([{ number: 3 }]);
    expect(await ids(test.db, 'jobs')).toEqual(['running']);
  });

  it('deletes top-level jobs that ended longer ago than the jobs retention, with their tasks, logs and sub-jobs', async () => {
    for (const [id, state] of [['old-completed', 'COMPLETED'], ['old-failed', 'FAILED'], ['old-cancelled', 'CANCELLED'], ['old-running', 'RUNNING'], ['old-pending', 'PENDING'], ['old-scheduled', 'SCHEDULED'], ['recent', 'COMPLETED']] as const) {
      await addJob(test.db, id, state);
      await addTask(test.db, id, `${id}.task`);
    }
    // An attached sub-job (with its own sub-job) of the old completed job, and one of the old running job.
    await addJob(test.db, 'old-completed.sub', 'COMPLETED', 'old-completed.task');
    await addTask(test.db, 'old-completed.sub', 'old-completed.sub.task');
    await addJob(test.db, 'old-completed.sub.sub', 'COMPLETED', 'old-completed.sub.task');
    await addJob(test.db, 'old-running.sub', 'COMPLETED', 'old-running.task');
    await addTask(test.db, 'old-running.sub', 'old-running.sub.task');
    // Everything was created two years ago; the ended ones ended 366 days ago but `recent`, which ended yesterday.
    await test.db.query("UPDATE twerk.jobs SET created_at = now() - interval '730 days'");
    await test.db.query("UPDATE twerk.jobs SET completed_at = now() - interval '366 days' WHERE state IN ('COMPLETED', 'CANCELLED')");
    await test.db.query("UPDATE twerk.jobs SET failed_at = now() - interval '366 days' WHERE state = 'FAILED'");
    await test.db.query("UPDATE twerk.jobs SET completed_at = now() - interval '1 day' WHERE id = 'recent'");

    // Only the logs of deleted tasks go: none is older than the logs retention.
    expect(await start().retainOnce()).toEqual({ logs: 0, jobs: 3 });
    expect(await ids(test.db, 'jobs')).toEqual(['old-pending', 'old-running', 'old-running.sub', 'old-scheduled', 'recent']);
    expect(await ids(test.db, 'tasks')).toEqual(['old-pending.task', 'old-running.sub.task', 'old-running.task', 'old-scheduled.task', 'recent.task']);
    expect(await count(test.db, 'twerk.task_log_parts')).toBe(5);
  });

  it("deletes triggers' firing records older than the jobs retention", async () => {
    await test.db.query("INSERT INTO twerk.triggers (id, name, enabled, definition) VALUES ('t1', 't1', true, '{}') ON CONFLICT DO NOTHING");
    await test.db.query("DELETE FROM twerk.trigger_firings");
    await test.db.query("INSERT INTO twerk.trigger_firings (id, trigger_id, source, reason, fired_at) VALUES ('old', 't1', 'event', 'x', now() - interval '366 days'), ('new', 't1', 'event', 'x', now() - interval '1 day')");
    await start().retainOnce();
    expect((await test.db.query<{ id: string }>('SELECT id FROM twerk.trigger_firings')).rows).toEqual([{ id: 'new' }]);
  });

  it('keeps a job inside the jobs retention, and everything when retention is off', async () => {
    await addJob(test.db, 'done', 'COMPLETED');
    await addTask(test.db, 'done', 'done.task');
    await test.db.query("UPDATE twerk.jobs SET completed_at = now() - interval '8759 hours'");
    expect(await start().retainOnce()).toEqual({ logs: 0, jobs: 0 });
    await maintenance!.stop();

    await test.db.query("UPDATE twerk.jobs SET completed_at = now() - interval '9000 hours'");
    await test.db.query("UPDATE twerk.task_log_parts SET created_at = now() - interval '9000 hours'");
    expect(await start({ retention: { logsMs: null, jobsMs: null } }).retainOnce()).toEqual({ logs: 0, jobs: 0 });
    expect(await ids(test.db, 'jobs')).toEqual(['done']);
    expect(await count(test.db, 'twerk.task_log_parts')).toBe(1);
  });

  it('deletes a backlog larger than a batch one batch at a time', async () => {
    await addJob(test.db, 'talkative', 'RUNNING');
    await addTask(test.db, 'talkative', 'talkative.task', 250);
    for (let n = 0; n < 25; n += 1) await addJob(test.db, `ended-${String(n).padStart(2, '0')}`, 'COMPLETED');
    await test.db.query("UPDATE twerk.task_log_parts SET created_at = now() - interval '200 hours'");
    await test.db.query("UPDATE twerk.jobs SET completed_at = now() - interval '400 days' WHERE state = 'COMPLETED'");

    const retention = start({ retentionBatch: { logs: 100, jobs: 10 } });
    const steps = [];
    for (let n = 0; n < 4; n += 1) steps.push(await retention.retainOnce());
    expect(steps).toEqual([{ logs: 100, jobs: 10 }, { logs: 100, jobs: 10 }, { logs: 50, jobs: 5 }, { logs: 0, jobs: 0 }]);
    expect(await ids(test.db, 'jobs')).toEqual(['talkative']);
  });

  it('drains a backlog across ticks while lost tasks are still requeued every tick, then waits for the next pass', async () => {
    await addJob(test.db, 'talkative', 'RUNNING');
    await addTask(test.db, 'talkative', 'talkative.task', 450);
    await test.db.query("UPDATE twerk.task_log_parts SET created_at = now() - interval '200 hours'");
    // What is left of the backlog each time the tick requeues lost tasks.
    const seen: number[] = [];
    const requeueLost = async () => {
      seen.push(await count(test.db, 'twerk.task_log_parts'));
      return 0;
    };
    start({ requeueLost, intervalMs: 10, tickBudgetMs: 0, retentionBatch: { logs: 100, jobs: 10 } });
    await until('the backlog to drain', async () => ((await count(test.db, 'twerk.task_log_parts')) === 0 ? true : undefined));
    await until('a tick after the drain', async () => (seen.at(-1) === 0 ? true : undefined));
    expect([...new Set(seen)]).toEqual([450, 350, 250, 150, 50, 0]);

    // The pass has ended: the next begins a minute later, not on the next tick.
    await test.db.query("INSERT INTO twerk.task_log_parts (task_id, number, contents, created_at) VALUES ('talkative.task', 1000, 'late', now() - interval '200 hours')");
    const ticks = seen.length;
    await until('more ticks', async () => (seen.length > ticks + 5 ? true : undefined));
    expect(await count(test.db, 'twerk.task_log_parts')).toBe(1);
  });
});
