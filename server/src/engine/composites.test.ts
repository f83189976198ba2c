/**
 * Composite tasks end to end on PostgreSQL and PGlite: parallel and each (with concurrency gating,
 * custom and legacy loop variables, empty and invalid lists), failure and cancellation of fan-outs,
 * nesting, and the composite examples that need nothing beyond them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import { getJob, type JobRecord } from '../datastore/jobs.ts';
import { taskLogParts } from '../datastore/logs.ts';
import { tasksOfJob, type TaskRecord } from '../datastore/tasks.ts';
import type { Engine } from './engine.ts';
import { engineOn, jobDocument } from './testing.ts';
import { shellRunner } from './shell-runner.ts';

const examples = join(import.meta.dirname, '..', '..', '..', 'examples');

const job = jobDocument;

/** The most tasks that were RUNNING at the same instant, from their recorded start and end times. */
function peakConcurrency(tasks: readonly TaskRecord[]): number {
  const events = tasks.filter((task) => task.startedAt && task.completedAt).flatMap((task) => [
    { at: +task.startedAt!, delta: 1 },
    { at: +task.completedAt!, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let peak = 0;
  for (const event of events) peak = Math.max(peak, (running += event.delta));
  return peak;
}

describe.each(TEST_BACKENDS)('composite tasks on %s', (_name, create) => {
  let test: TestDatabase;
  let engine: Engine;
  const scratch = mkdtempSync(join(tmpdir(), 'twerk-composites-'));

  beforeAll(async () => {
    test = await create();
    engine = await engineOn(test, { runner: shellRunner({ baseDir: scratch, logFlushMs: 20 }), queues: { default: 6 }, nodeId: 'composites' });
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await test?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function finished(id: string, timeoutMs = 40_000): Promise<JobRecord> {
    const started = Date.now();
    for (;;) {
      const record = await getJob(test.db, id);
      if (record && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(record.state)) return record;
      if (Date.now() - started > timeoutMs) throw new Error(`job ${id} still ${record?.state}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('runs examples/parallel.yaml: the parallel task waits for all six children', async () => {
    const id = await engine.submit(job(readFileSync(join(examples, 'parallel.yaml'), 'utf8')));
    expect(await finished(id)).toMatchObject({ state: 'COMPLETED', position: 3 });
    const tasks = await tasksOfJob(test.db, id);
    const parent = tasks.find((task) => task.spec.parallel)!;
    const children = tasks.filter((task) => task.parentId === parent.id);
    expect(children).toHaveLength(6);
    expect(children.every((task) => task.state === 'COMPLETED' && +task.completedAt! <= +parent.completedAt!)).toBe(true);
    expect(peakConcurrency(children)).toBeGreaterThan(1);
  }, 60_000);

  it('runs examples/each.yaml and bash-each.yaml, with item, custom and legacy loop names', async () => {
    const each = await finished(await engine.submit(job(readFileSync(join(examples, 'each.yaml'), 'utf8'))));
    expect(each.error ?? '').toBe('');
    expect(each.state).toBe('COMPLETED');
    const names = (await tasksOfJob(test.db, each.id)).filter((task) => task.parentId !== null).map((task) => task.spec.var);
    expect(names).toEqual(expect.arrayContaining(['eachTask0', 'eachTask3']));
    expect(each.context.tasks).toMatchObject({ eachTask0: '1', eachTask3: '4' });
    // bash-each.yaml (Twerk's, with its run script quoted and fed through env): the custom loop
    // variable's legacy names (num_value, num_index) at work, each item in its own task.
    const bash = await finished(await engine.submit(job(readFileSync(join(examples, 'bash-each.yaml'), 'utf8'))));
    expect(bash.error ?? '').toBe('');
    expect(bash.state).toBe('COMPLETED');
    const items = (await tasksOfJob(test.db, bash.id)).filter((task) => task.parentId !== null);
    expect(items.map((task) => task.name).sort()).toEqual(['process 1', 'process 2']);
    const logs = await taskLogParts(test.db, items.map((task) => task.id), 1, 10);
    expect(logs.items.map((part) => part.contents.trim()).sort()).toEqual(['Processing item #0 = 1', 'Processing item #1 = 2']);
  }, 60_000);

  it('never runs more children than the concurrency allows, and runs them all', async () => {
    const id = await engine.submit(
      job(`name: gated
tasks:
  - name: fan out
    each:
      list: "{{ sequence(0, 8) }}"
      concurrency: 2
      task:
        name: item {{ item.index }}
        var: out{{ item.index }}
        env: { V: "{{ item.value }}" }
        run: sleep 0.2; echo -n $V > $TWERK_OUTPUT
`),
    );
    const done = await finished(id);
    expect(done.state).toBe('COMPLETED');
    const children = (await tasksOfJob(test.db, id)).filter((task) => task.parentId !== null);
    expect(children).toHaveLength(8);
    expect(children.every((task) => task.state === 'COMPLETED')).toBe(true);
    expect(peakConcurrency(children)).toBe(2);
    expect(done.context.tasks).toMatchObject({ out0: '0', out7: '7' });
  }, 60_000);

  it('completes an each over an empty list at once, and fails one over something that is not a list', async () => {
    const empty = await finished(await engine.submit(job('name: empty\ntasks:\n  - name: none\n    each:\n      list: "{{ [] }}"\n      task: { name: never, run: exit 1 }\n')));
    expect(empty.state).toBe('COMPLETED');
    const bad = await finished(await engine.submit(job('name: bad\ntasks:\n  - name: sum\n    each:\n      list: "{{ 1 + 1 }}"\n      task: { name: never, run: "true" }\n')));
    expect(bad).toMatchObject({ state: 'FAILED', error: 'tasks[0].each.list: does not evaluate to a list (got 2)' });
  }, 60_000);

  it('fails a parallel with its first failed child and stops the siblings still running', async () => {
    const id = await engine.submit(job('name: failfast\ntasks:\n  - name: group\n    parallel:\n      tasks:\n        - { name: slow, run: sleep 30 }\n        - { name: broken, run: sleep 0.3; exit 3 }\n  - { name: never, run: "true" }\n'));
    const done = await finished(id);
    expect(done.state).toBe('FAILED');
    expect(done.error).toContain('broken: exit status 3');
    const tasks = await tasksOfJob(test.db, id);
    expect(tasks.find((task) => task.name === 'slow')?.state).toBe('CANCELLED');
    expect(tasks.find((task) => task.name === 'never')).toBeUndefined();
  }, 60_000);

  it('nests: a parallel of an each and a plain task, whose results all reach the context', async () => {
    const id = await engine.submit(
      job(`name: nested
output: "{{ tasks.a0 }}{{ tasks.a1 }}{{ tasks.b }}"
tasks:
  - name: outer
    parallel:
      tasks:
        - name: loop
          each:
            list: ["x", "y"]
            task: { name: "inner {{ item.value }}", var: "a{{ item.index }}", env: { V: "{{ item.value }}" }, run: "echo -n $V > $TWERK_OUTPUT" }
        - { name: plain, var: b, run: echo -n z > $TWERK_OUTPUT }
`),
    );
    expect(await finished(id)).toMatchObject({ state: 'COMPLETED', result: 'xyz' });
  }, 60_000);

  it('cancels a running fan-out, children included', async () => {
    const id = await engine.submit(job('name: cancel fan-out\ntasks:\n  - name: many\n    each:\n      list: "{{ sequence(0, 6) }}"\n      concurrency: 2\n      task: { name: "wait {{ item.index }}", run: sleep 30 }\n'));
    const started = Date.now();
    while ((await tasksOfJob(test.db, id)).filter((task) => task.state === 'RUNNING' && task.parentId !== null).length < 2) {
      if (Date.now() - started > 20_000) throw new Error('children never started');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await engine.cancel(id)).toBe('cancelled');
    const tasks = await tasksOfJob(test.db, id);
    expect(tasks.every((task) => task.state === 'CANCELLED')).toBe(true);
  }, 60_000);

  it("runs examples/subjob.yaml: an attached sub-job's output becomes its task's result, and sub-jobs run in parallel", async () => {
    const done = await finished(await engine.submit(job(readFileSync(join(examples, 'subjob.yaml'), 'utf8'))));
    expect(done.error ?? '').toBe('');
    expect(done).toMatchObject({ state: 'COMPLETED', position: 4 });
    expect(done.context.tasks).toMatchObject({ subJobOutput: 'data' });
    const subjobs = await test.db.query<{ name: string; state: string; parent_id: string }>('SELECT name, state, parent_id FROM twerk.jobs WHERE parent_id IN (SELECT id FROM twerk.tasks WHERE job_id = $1) ORDER BY name', [done.id]);
    expect(subjobs.rows.map((row) => [row.name, row.state])).toEqual([['my sub job 1', 'COMPLETED'], ['my sub job 2', 'COMPLETED'], ['my sub job with output', 'COMPLETED']]);
  }, 60_000);

  it('runs examples/bash-subjob.yaml to the nested build result', async () => {
    const done = await finished(await engine.submit(job(readFileSync(join(examples, 'bash-subjob.yaml'), 'utf8'))));
    expect(done.error ?? '').toBe('');
    expect(done).toMatchObject({ state: 'COMPLETED', result: 'BUILD_OK' });
  }, 60_000);

  it('fails the parent task with a failed attached sub-job, completes detached ones at once, and cancels attached sub-jobs with their job', async () => {
    const failing = await finished(await engine.submit(job('name: parent\ntasks:\n  - name: child job\n    subjob:\n      name: doomed\n      tasks: [{ name: boom, run: exit 4 }]\n')));
    expect(failing).toMatchObject({ state: 'FAILED', error: 'sub-job doomed failed: exit status 4' });
    const detached = await finished(await engine.submit(job('name: fire and forget\ntasks:\n  - name: launch\n    subjob:\n      name: background\n      detached: true\n      tasks: [{ name: slow, run: sleep 1 }]\n')));
    expect(detached.state).toBe('COMPLETED');
    const id = await engine.submit(job('name: cascade\ntasks:\n  - name: nested\n    subjob:\n      name: long sub-job\n      tasks: [{ name: wait, run: sleep 30 }]\n'));
    const started = Date.now();
    for (;;) {
      const running = await test.db.query<{ n: number }>("SELECT count(*)::int AS n FROM twerk.tasks t JOIN twerk.jobs j ON j.id = t.job_id WHERE j.parent_id IN (SELECT id FROM twerk.tasks WHERE job_id = $1) AND t.state = 'RUNNING'", [id]);
      if ((running.rows[0]?.n ?? 0) > 0) break;
      if (Date.now() - started > 20_000) throw new Error('sub-job task never started');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await engine.cancel(id)).toBe('cancelled');
    const sub = await test.db.query<{ state: string }>('SELECT state FROM twerk.jobs WHERE parent_id IN (SELECT id FROM twerk.tasks WHERE job_id = $1)', [id]);
    expect(sub.rows.map((row) => row.state)).toEqual(['CANCELLED']);
  }, 60_000);
});
