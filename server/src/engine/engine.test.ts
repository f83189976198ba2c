/**
 * End to end inside one process: jobs submitted to the engine run on real shell processes, with the
 * coordinator and a worker consuming pg-boss queues, on PostgreSQL and on embedded PGlite.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import { getJob, type JobRecord } from '../datastore/jobs.ts';
import { tasksOfJob } from '../datastore/tasks.ts';
import { taskLogParts } from '../datastore/logs.ts';
import type { Engine } from './engine.ts';
import { engineOn, jobDocument } from './testing.ts';
import { shellRunner } from './shell-runner.ts';

const examples = join(import.meta.dirname, '..', '..', '..', 'examples');

const job = jobDocument;

describe.each(TEST_BACKENDS)('the engine on %s', (_name, create) => {
  let test: TestDatabase;
  let engine: Engine;
  const scratch = mkdtempSync(join(tmpdir(), 'twerk-engine-'));

  beforeAll(async () => {
    test = await create();
    engine = await engineOn(test, { runner: shellRunner({ baseDir: scratch, logFlushMs: 50 }), queues: { default: 2, other: 1 }, nodeId: 'test-node' });
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await test?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function finished(id: string, timeoutMs = 30_000): Promise<JobRecord> {
    const started = Date.now();
    for (;;) {
      const record = await getJob(test.db, id);
      if (record && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(record.state)) return record;
      if (Date.now() - started > timeoutMs) throw new Error(`job ${id} still ${record?.state}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('runs examples/hello.yaml to "hello world"', async () => {
    const id = await engine.submit(job(readFileSync(join(examples, 'hello.yaml'), 'utf8')));
    const done = await finished(id);
    expect(done).toMatchObject({ state: 'COMPLETED', result: 'hello world', progress: 100, position: 1 });
    expect(done.startedAt).toBeInstanceOf(Date);
    expect(done.completedAt).toBeInstanceOf(Date);
  }, 40_000);

  it('passes results between tasks, skips on if, evaluates output and keeps logs', async () => {
    const id = await engine.submit(
      job(`name: pipeline
inputs: { who: World }
secrets: { token: s3cret }
output: "{{ tasks.second }}"
tasks:
  - name: first
    var: first
    env: { WHO: "{{ inputs.who }}" }
    run: echo "log line"; echo -n "hello $WHO" > $TWERK_OUTPUT
  - name: skipped
    if: "{{ 1 == 2 }}"
    run: exit 1
  - name: second
    var: second
    env: { PREV: "{{ tasks.first }}", TOKEN: "{{ secrets.token }}" }
    run: echo -n "$PREV!" > $TORK_OUTPUT
`),
    );
    const done = await finished(id);
    expect(done).toMatchObject({ state: 'COMPLETED', result: 'hello World!' });
    const tasks = await tasksOfJob(test.db, id);
    expect(tasks.map((task) => [task.position, task.state])).toEqual([[1, 'COMPLETED'], [2, 'SKIPPED'], [3, 'COMPLETED']]);
    const logs = await taskLogParts(test.db, [tasks[0]!.id], 1, 10);
    expect(logs.items.map((part) => part.contents).join('')).toContain('log line');
  }, 40_000);

  it('retries a failing task with backoff, one record per attempt, then fails the job with its error', async () => {
    const id = await engine.submit(
      job(`name: flaky
tasks:
  - name: always fails
    retry: { limit: 2, initialDelay: 100ms, scalingFactor: 2 }
    run: echo -n partial > $TWERK_OUTPUT; echo boom >&2; exit 3
`),
    );
    const done = await finished(id);
    expect(done.state).toBe('FAILED');
    expect(done.error).toBe('exit status 3: boom');
    const attempts = await tasksOfJob(test.db, id);
    expect(attempts.map((task) => [task.attempt, task.state, task.exitCode, task.result])).toEqual([[1, 'FAILED', 3, 'partial'], [2, 'FAILED', 3, 'partial'], [3, 'FAILED', 3, 'partial']]);
  }, 40_000);

  it('fails a task that runs past its timeout', async () => {
    const id = await engine.submit(job('name: slow\ntasks:\n  - name: sleepy\n    timeout: 1s\n    run: sleep 30\n'));
    const done = await finished(id);
    expect(done.state).toBe('FAILED');
    expect(done.error).toMatch(/timed out/);
  }, 40_000);

  it('fails the job with the field and expression when a template cannot be evaluated', async () => {
    const id = await engine.submit(job('name: bad\ntasks:\n  - name: t\n    env: { X: "{{ nope.x }}" }\n    run: "true"\n'));
    const done = await finished(id);
    expect(done.state).toBe('FAILED');
    expect(done.error).toBe('tasks[0].env.X: unknown name nope (in "nope.x")');
  }, 40_000);

  it('cancels a running job and stops its task', async () => {
    const id = await engine.submit(job('name: long\ntasks:\n  - name: wait\n    run: sleep 30\n  - name: after\n    var: after\n    run: echo -n done > $TWERK_OUTPUT\noutput: "{{ tasks.after }}"\n'));
    const started = Date.now();
    while ((await tasksOfJob(test.db, id)).find((task) => task.state === 'RUNNING') === undefined) {
      if (Date.now() - started > 20_000) throw new Error('task never started');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await engine.cancel(id)).toBe('cancelled');
    expect((await finished(id)).state).toBe('CANCELLED');
    expect(await engine.cancel(id)).toBe('not-active');
    expect((await tasksOfJob(test.db, id))[0]?.state).toBe('CANCELLED');
  }, 40_000);

  it('restarts a failed job from the task that failed', async () => {
    const marker = join(scratch, `marker-${Date.now()}`);
    const id = await engine.submit(
      job(`name: restartable
output: "{{ tasks.second }}"
tasks:
  - name: first
    var: first
    run: echo -n one > $TWERK_OUTPUT
  - name: second
    var: second
    env: { MARKER: "${marker}" }
    run: 'if [ -f "$MARKER" ]; then echo -n two > $TWERK_OUTPUT; else touch "$MARKER"; exit 1; fi'
`),
    );
    expect((await finished(id)).state).toBe('FAILED');
    expect(await engine.restart(id)).toBe('restarted');
    expect(await finished(id)).toMatchObject({ state: 'COMPLETED', result: 'two' });
    const tasks = await tasksOfJob(test.db, id);
    expect(tasks.map((task) => [task.position, task.state])).toEqual([[1, 'COMPLETED'], [2, 'FAILED'], [2, 'COMPLETED']]);
    expect(await engine.restart(id)).toBe('not-restartable');
  }, 40_000);

  it('runs pre and post tasks around a task, evaluated and sharing its directory', async () => {
    const id = await engine.submit(
      job(`name: aux
inputs: { greeting: hello }
output: "{{ tasks.main }}"
tasks:
  - name: main
    var: main
    pre:
      - name: prepare
        env: { GREETING: "{{ inputs.greeting }}" }
        run: echo -n "$GREETING" > greeting.txt
    run: echo -n "$(cat greeting.txt) world" > $TWERK_OUTPUT
    post:
      - name: check
        run: test -f greeting.txt
`),
    );
    expect(await finished(id)).toMatchObject({ state: 'COMPLETED', result: 'hello world' });
    const failing = await engine.submit(job('name: aux-fail\ntasks:\n  - name: main\n    pre:\n      - name: broken\n        run: exit 9\n    run: "true"\n'));
    expect(await finished(failing)).toMatchObject({ state: 'FAILED', error: 'pre task broken failed: exit status 9' });
  }, 40_000);

  it('routes tasks to their queue', async () => {
    const id = await engine.submit(job('name: queued\ntasks:\n  - name: t\n    queue: other\n    var: v\n    run: echo -n ok > $TWERK_OUTPUT\noutput: "{{ tasks.v }}"\n'));
    expect(await finished(id)).toMatchObject({ state: 'COMPLETED', result: 'ok' });
    expect((await tasksOfJob(test.db, id))[0]?.queue).toBe('other');
  }, 40_000);
});
