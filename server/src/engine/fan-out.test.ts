/**
 * Fan-outs beyond the basics, end to end on PostgreSQL and PGlite: the failure policy that lets every
 * child finish, restart from the failed children instead of from scratch (at any depth), progress
 * counted in leaf tasks, autoDelete of a job tree, nested each loops whose waiting children still see
 * the outer item, sub-jobs cancelled on their own, and a fan-out of thousands settled in batches.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import { getJob, type JobRecord } from '../datastore/jobs.ts';
import { tasksOfJob, type TaskRecord } from '../datastore/tasks.ts';
import type { Engine } from './engine.ts';
import { engineOn, jobDocument } from './testing.ts';
import type { TaskRunner } from './runner.ts';
import { shellRunner } from './shell-runner.ts';

const job = jobDocument;

/** An in-process runtime for scale: doubles the task's N into its result. */
const doubling: TaskRunner = {
  async run(task) {
    const n = Number(task.spec.env?.['N'] ?? 0);
    return { status: 'completed', result: String(n * 2) };
  },
};

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(TEST_BACKENDS)('fan-outs on %s', (_name, create) => {
  let test: TestDatabase;
  let engine: Engine;
  const scratch = mkdtempSync(join(tmpdir(), 'twerk-fan-out-'));

  beforeAll(async () => {
    test = await create();
    engine = await engineOn(test, { runner: shellRunner({ baseDir: scratch, logFlushMs: 20 }), queues: { default: 6 }, nodeId: 'fan-out' });
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await test?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function finished(id: string, timeoutMs = 40_000): Promise<JobRecord> {
    const done = await engine.waitForJob(id, timeoutMs);
    if (done === 'timeout' || done === undefined) throw new Error(`job ${id} did not finish`);
    return done;
  }

  const children = async (id: string): Promise<TaskRecord[]> => (await tasksOfJob(test.db, id)).filter((task) => task.parentId !== null);

  it('lets every child of a parallel finish when failFast is false, then fails naming the ones that failed', async () => {
    const done = await finished(
      await engine.submit(
        job(`name: all of them
tasks:
  - name: group
    parallel:
      failFast: false
      tasks:
        - { name: a, run: sleep 0.3 }
        - { name: b, run: exit 3 }
        - { name: c, run: sleep 0.6 }
        - { name: d, run: echo nope >&2; exit 4 }
  - { name: never, run: "true" }
`),
      ),
    );
    expect(done.state).toBe('FAILED');
    expect(done.error).toBe('2 of 4 tasks failed: b: exit status 3; d: exit status 4: nope');
    const states = Object.fromEntries((await children(done.id)).map((task) => [task.name, task.state]));
    expect(states).toEqual({ a: 'COMPLETED', b: 'FAILED', c: 'COMPLETED', d: 'FAILED' });
    expect((await tasksOfJob(test.db, done.id)).find((task) => task.name === 'never')).toBeUndefined();
  });

  it('runs every item of an each with failFast false within its concurrency', async () => {
    const done = await finished(
      await engine.submit(
        job(`name: every item
tasks:
  - name: items
    each:
      list: "{{ sequence(0, 6) }}"
      concurrency: 2
      failFast: false
      task:
        name: item {{ item.index }}
        env: { N: "{{ item.value }}" }
        run: 'sleep 0.1; [ $((N % 3)) -ne 1 ]'
`),
      ),
    );
    expect(done.state).toBe('FAILED');
    expect(done.error).toBe('2 of 6 tasks failed: item 1: exit status 1; item 4: exit status 1');
    const items = await children(done.id);
    expect(items).toHaveLength(6);
    expect(items.filter((task) => task.state === 'COMPLETED')).toHaveLength(4);
  });

  it('restarts a fan-out from its failed and cancelled children, keeping the ones that completed', async () => {
    const marker = join(scratch, `fail-once-${Date.now()}`);
    const id = await engine.submit(
      job(`name: resumable fan-out
output: "{{ tasks.r0 }}{{ tasks.r1 }}{{ tasks.r2 }}{{ tasks.r3 }}"
tasks:
  - name: items
    each:
      list: ["a", "b", "c", "d"]
      task:
        name: item {{ item.index }}
        var: r{{ item.index }}
        env: { V: "{{ item.value }}", I: "{{ item.index }}", MARKER: "${marker}" }
        run: |
          case $I in
            0) ;;
            1) if [ ! -f "$MARKER" ]; then sleep 1; touch "$MARKER"; exit 7; fi ;;
            *) sleep 5 ;;
          esac
          echo -n $V > $TWERK_OUTPUT
`),
    );
    const failed = await finished(id);
    expect(failed).toMatchObject({ state: 'FAILED', error: 'item 1: exit status 7' });
    const before = await children(id);
    expect(before.map((task) => [task.sequence, task.state]).sort()).toEqual([[0, 'COMPLETED'], [1, 'FAILED'], [2, 'CANCELLED'], [3, 'CANCELLED']]);

    expect(await engine.restart(id)).toBe('restarted');
    const done = await finished(id);
    expect(done).toMatchObject({ state: 'COMPLETED', result: 'abcd', progress: 100 });
    const after = await children(id);
    const runs = (sequence: number) => after.filter((task) => task.sequence === sequence).map((task) => task.state);
    expect(runs(0)).toEqual(['COMPLETED']); // not run again
    expect(runs(1)).toEqual(['FAILED', 'COMPLETED']);
    expect(runs(2)).toEqual(['CANCELLED', 'COMPLETED']);
    expect(runs(3)).toEqual(['CANCELLED', 'COMPLETED']);
    // The parent is one record, revived.
    expect((await tasksOfJob(test.db, id)).filter((task) => task.parentId === null)).toHaveLength(1);
  });

  it('restarts nested composites at depth: only the failed grandchild runs again', async () => {
    const marker = join(scratch, `nested-${Date.now()}`);
    const id = await engine.submit(
      job(`name: nested restart
tasks:
  - name: outer
    parallel:
      tasks:
        - { name: side, run: "true" }
        - name: loop
          each:
            list: [1, 2, 3]
            task:
              name: inner {{ item.value }}
              env: { V: "{{ item.value }}", MARKER: "${marker}" }
              # fails once, after its siblings have finished (a fail-fast parent cancels the ones still running)
              run: 'if [ $V = 2 ] && [ ! -f "$MARKER" ]; then sleep 1; touch "$MARKER"; exit 1; fi'
  - { name: last, run: "true" }
`),
    );
    expect((await finished(id)).state).toBe('FAILED');
    expect(await engine.restart(id)).toBe('restarted');
    expect((await finished(id)).state).toBe('COMPLETED');
    const tasks = await tasksOfJob(test.db, id);
    const count = (name: string) => tasks.filter((task) => task.name === name).length;
    expect([count('side'), count('inner 1'), count('inner 2'), count('inner 3'), count('last')]).toEqual([1, 1, 2, 1, 1]);
  });

  it('counts progress in leaf tasks, with one for each top-level task not started yet', async () => {
    const id = await engine.submit(
      job(`name: progress
tasks:
  - name: four
    each:
      list: [1, 2, 3, 4]
      concurrency: 1
      task: { name: "step {{ item.value }}", run: "true" }
  - { name: long, run: sleep 30 }
`),
    );
    await until('the last task running', async () => ((await tasksOfJob(test.db, id)).find((task) => task.name === 'long' && task.state === 'RUNNING') ? true : undefined));
    expect((await getJob(test.db, id))?.progress).toBe(80); // 4 of 5 leaves
    expect(await engine.cancel(id)).toBe('cancelled');
  });

  it('gives waiting children of a nested each the outer item too', async () => {
    const done = await finished(
      await engine.submit(
        job(`name: nested loops
output: "{{ tasks.ra1 }}{{ tasks.ra2 }}{{ tasks.rb1 }}{{ tasks.rb2 }}"
tasks:
  - name: outer
    each:
      list: [a, b]
      var: outer
      task:
        name: inner loop {{ outer.value }}
        each:
          list: [1, 2]
          var: inner
          concurrency: 1
          task:
            name: cell {{ outer.value }}{{ inner.value }}
            var: r{{ outer.value }}{{ inner.value }}
            env: { CELL: "{{ outer.value }}{{ inner.value }}" }
            run: echo -n "$CELL " > $TWERK_OUTPUT
`),
      ),
    );
    expect(done.error ?? '').toBe('');
    expect(done).toMatchObject({ state: 'COMPLETED', result: 'a1 a2 b1 b2 ' });
  });

  it('deletes a job with autoDelete, with its tasks, logs and sub-jobs, once its time has passed', async () => {
    const done = await finished(
      await engine.submit(
        job(`name: ephemeral
autoDelete: { after: 1s }
tasks:
  - { name: talk, run: echo hello }
  - name: child
    subjob:
      name: ephemeral child
      tasks: [{ name: inner, run: echo inner }]
`),
      ),
    );
    expect(done.state).toBe('COMPLETED');
    const taskIds = (await tasksOfJob(test.db, done.id)).map((task) => task.id);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await engine.deleteExpiredJobs();
    expect(await getJob(test.db, done.id)).toBeUndefined();
    const left = await test.db.query<{ tasks: number; logs: number; subjobs: number }>(
      `SELECT (SELECT count(*)::int FROM twerk.tasks WHERE job_id = $1) AS tasks,
              (SELECT count(*)::int FROM twerk.task_log_parts WHERE task_id = ANY($2::text[])) AS logs,
              (SELECT count(*)::int FROM twerk.jobs WHERE parent_id = ANY($2::text[])) AS subjobs`,
      [done.id, taskIds],
    );
    expect(left.rows[0]).toEqual({ tasks: 0, logs: 0, subjobs: 0 });
  });

  it('fails the task waiting for an attached sub-job that is cancelled on its own', async () => {
    const id = await engine.submit(job('name: parent of a cancelled one\ntasks:\n  - name: wrapper\n    subjob:\n      name: cancel me\n      tasks: [{ name: wait, run: sleep 30 }]\n'));
    const subjob = await until('the sub-job', async () => (await test.db.query<{ id: string }>("SELECT id FROM twerk.jobs WHERE name = 'cancel me' AND state = 'RUNNING'")).rows[0]?.id);
    expect(await engine.cancel(subjob)).toBe('cancelled');
    expect(await finished(id)).toMatchObject({ state: 'FAILED', error: 'sub-job cancel me was cancelled' });
  });
});

describe.each(TEST_BACKENDS)('a fan-out of thousands on %s', (_name, create) => {
  let test: TestDatabase;
  let engine: Engine;

  beforeAll(async () => {
    test = await create();
    engine = await engineOn(test, { runner: doubling, queues: { default: 100 }, nodeId: 'scale' });
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await test?.dispose();
  });

  it('expands 2,500 items, runs them all and gathers every result', async () => {
    const id = await engine.submit(
      job(`name: thousands
output: "{{ tasks.r0 }} {{ tasks.r2499 }}"
tasks:
  - name: items
    each:
      list: "{{ sequence(0, 2500) }}"
      task:
        name: item {{ item.index }}
        var: r{{ item.index }}
        env: { N: "{{ item.value }}" }
        run: the doubling runtime reads N
`),
    );
    const done = await engine.waitForJob(id, 120_000);
    if (done === 'timeout' || done === undefined) throw new Error('the fan-out did not finish');
    expect(done).toMatchObject({ state: 'COMPLETED', result: '0 4998', progress: 100, leavesTotal: 2500, leavesDone: 2500 });
    expect(Object.keys(done.context.tasks ?? {})).toHaveLength(2500);
    const states = await test.db.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM twerk.tasks WHERE job_id = $1 GROUP BY state ORDER BY state', [id]);
    expect(states.rows).toEqual([{ state: 'COMPLETED', n: 2501 }]);
  }, 120_000);
});
