/**
 * State machines executed by the engine, durably, as jobs: Task states run as tasks on a worker (the
 * shell runtime here), waits are timers in the database, and an execution survives the engine being
 * stopped and started again.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.ts';
import { TEST_BACKENDS, createPostgresTestDatabase, type TestDatabase } from '../db/testing.ts';
import { getJob, type JobRecord } from '../datastore/jobs.ts';
import { tasksOfJob } from '../datastore/tasks.ts';
import type { Engine } from './engine.ts';
import { shellRunner } from './shell-runner.ts';
import { engineOn } from './testing.ts';

const scratch = mkdtempSync(join(tmpdir(), 'twerk-machines-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A Task state in the AWS dialect running `run` on the shell runtime. */
const task = (run: string, extra: Record<string, unknown> = {}) => ({ Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'alpine:3.20', run }, ...extra });

function worker(name: string) {
  return { runner: shellRunner({ baseDir: join(scratch, name) }), queues: { default: 4 }, nodeId: name };
}

describe.each(TEST_BACKENDS)('state machine executions on %s', (backend, create) => {
  let test: TestDatabase;
  let engine: Engine;

  beforeAll(async () => {
    test = await create();
    engine = await engineOn(test, worker(`machines-${backend}`), { maintenanceIntervalMs: 100 });
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await test?.dispose();
  });

  async function run(machine: Record<string, unknown>): Promise<JobRecord> {
    const finished = await engine.waitForJob(await engine.submitMachine(machine), 60_000);
    if (finished === 'timeout' || finished === undefined) throw new Error('the execution did not finish');
    return finished;
  }

  it('runs a machine without Task states without a worker round trip, its output as the result', async () => {
    const job = await run({ StartAt: 'Hello', States: { Hello: { Type: 'Pass', Result: { greeting: 'hi' }, ResultPath: '$.said', Next: 'Done' }, Done: { Type: 'Succeed' } } });
    expect(job).toMatchObject({ state: 'COMPLETED', result: '{"said":{"greeting":"hi"}}', tags: ['state-machine'] });
    expect(await tasksOfJob(test.db, job.id)).toEqual([]);
  });

  it('runs Task states as tasks: the input arrives in $TWERK_INPUT, TWERK_OUTPUT as JSON is the result', async () => {
    const job = await run({
      StartAt: 'Start',
      States: {
        Start: { Type: 'Pass', Result: { n: 20 }, Next: 'Add' },
        Add: task('n=$(echo "$TWERK_INPUT" | jq .n); echo "{\\"sum\\": $((n + 22))}" > $TWERK_OUTPUT', { ResultSelector: { 'answer.$': '$.sum' }, Next: 'Say' }),
        Say: task('echo -n "the answer is $(echo "$TWERK_INPUT" | jq .answer)" > $TWERK_OUTPUT', { End: true }),
      },
    });
    expect(job).toMatchObject({ state: 'COMPLETED', result: '"the answer is 42"', progress: 100 });
    expect((await tasksOfJob(test.db, job.id)).map((record) => [record.name, record.state])).toEqual([
      ['Add', 'COMPLETED'],
      ['Say', 'COMPLETED'],
    ]);
  });

  it('retries a failed Task state after a durable delay, then catches what still fails', async () => {
    const marker = join(scratch, `flaky-${backend}`);
    const job = await run({
      StartAt: 'Flaky',
      States: {
        Flaky: task(`if [ ! -e ${marker} ]; then touch ${marker}; echo first time >&2; exit 1; fi; echo -n '"ok"' > $TWERK_OUTPUT`, {
          Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 2 }],
          ResultPath: '$.flaky',
          Next: 'Broken',
        }),
        Broken: task('echo nope >&2; exit 3', { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.caught', Next: 'Done' }], End: true }),
        Done: { Type: 'Succeed' },
      },
    });
    expect(job.state).toBe('COMPLETED');
    const output = JSON.parse(job.result!) as { flaky: string; caught: { Error: string; Cause: string } };
    expect(output.flaky).toBe('ok');
    expect(output.caught).toEqual({ Error: 'States.TaskFailed', Cause: expect.stringContaining('exit status 3: nope') });
    const records = await tasksOfJob(test.db, job.id);
    expect(records.map((record) => [record.name, record.state])).toEqual([
      ['Flaky', 'FAILED'],
      [expect.stringMatching(/^Flaky#1@0:retry$/), 'COMPLETED'],
      ['Flaky', 'COMPLETED'],
      ['Broken', 'FAILED'],
    ]);
    expect(existsSync(marker)).toBe(true);
  });

  it('waits durably, costing no worker: the wait is a timer the coordinator ends when it is due', async () => {
    const started = Date.now();
    const job = await run({ StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 1, Next: 'Done' }, Done: { Type: 'Pass', Result: 'rested', End: true } } });
    expect(job).toMatchObject({ state: 'COMPLETED', result: '"rested"' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const [timer] = await tasksOfJob(test.db, job.id);
    expect(timer).toMatchObject({ name: 'Nap#1:wait', state: 'COMPLETED', queue: 'x-timers' });
  });

  it('runs Parallel branches and Map iterations as concurrent tasks, results in order', async () => {
    const square = { StartAt: 'Square', States: { Square: task('n=$TWERK_INPUT; echo $((n * n)) > $TWERK_OUTPUT', { End: true }) } };
    const job = await run({
      StartAt: 'Seed',
      States: {
        Seed: { Type: 'Pass', Result: [1, 2, 3, 4], ResultPath: '$.items', Next: 'Both' },
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: task('sleep 0.3; echo -n \'"a"\' > $TWERK_OUTPUT', { End: true }) } },
            { StartAt: 'B', States: { B: task('echo -n \'"b"\' > $TWERK_OUTPUT', { End: true }) } },
          ],
          ResultPath: '$.both',
          Next: 'Each',
        },
        Each: { Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 2, ItemProcessor: square, ResultPath: '$.squares', End: true },
      },
    });
    expect(job).toMatchObject({ state: 'COMPLETED' });
    expect(JSON.parse(job.result!)).toEqual({ items: [1, 2, 3, 4], both: ['a', 'b'], squares: [1, 4, 9, 16] });
    expect((await tasksOfJob(test.db, job.id)).map((record) => record.name).sort()).toEqual(['A', 'B', 'Square', 'Square', 'Square', 'Square']);
  });

  it('fails an execution whose Map has no list, with States.Runtime', async () => {
    const job = await run({ StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } } });
    expect(job).toMatchObject({ state: 'FAILED', error: expect.stringMatching(/^States\.Runtime: /) });
  });

  it('cancels a waiting execution with its timer, and restarts a failed one from the step that failed', async () => {
    const waiting = await engine.submitMachine({ StartAt: 'Long', States: { Long: { Type: 'Wait', Seconds: 3600, End: true } } });
    for (let tries = 0; (await tasksOfJob(test.db, waiting)).length === 0 && tries < 100; tries += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await engine.cancel(waiting)).toBe('cancelled');
    expect((await getJob(test.db, waiting))?.state).toBe('CANCELLED');
    expect((await tasksOfJob(test.db, waiting)).map((record) => record.state)).toEqual(['CANCELLED']);

    const gate = join(scratch, `gate-${backend}`);
    const failing = await run({
      StartAt: 'First',
      States: {
        First: task(`echo ran >> ${gate}.first; echo -n 1 > $TWERK_OUTPUT`, { ResultPath: '$.first', Next: 'Second' }),
        Second: task(`test -e ${gate} || exit 4; echo -n 2 > $TWERK_OUTPUT`, { ResultPath: '$.second', End: true }),
      },
    });
    expect(failing).toMatchObject({ state: 'FAILED', error: expect.stringMatching(/^States\.TaskFailed: exit status 4/) });
    writeFileSync(gate, '');
    expect(await engine.restart(failing.id)).toBe('restarted');
    const finished = await engine.waitForJob(failing.id, 60_000);
    expect(finished).toMatchObject({ state: 'COMPLETED', result: '{"first":1,"second":2}' });
    // First ran once: the redrive kept it.
    expect(readFileSync(`${gate}.first`, 'utf8')).toBe('ran\n');
  });
});

describe('a state machine execution across an engine restart', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createPostgresTestDatabase();
  });
  afterAll(async () => test?.dispose());

  it('keeps its wait and its progress, and finishes on the next engine', async () => {
    const first = await engineOn(test, worker('restart-1'), { maintenanceIntervalMs: 100 });
    const id = await first.submitMachine({
      StartAt: 'Before',
      States: { Before: task('echo -n \'"before"\' > $TWERK_OUTPUT', { ResultPath: '$.before', Next: 'Nap' }), Nap: { Type: 'Wait', Seconds: 2, Next: 'After' }, After: { Type: 'Pass', Result: 'after', ResultPath: '$.after', End: true } },
    });
    for (let tries = 0; !(await tasksOfJob(test.db, id)).some((record) => record.queue === 'x-timers') && tries < 200; tries += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    await first.stop();
    expect((await getJob(test.db, id))?.state).toBe('RUNNING');

    const second = await engineOn(test, worker('restart-2'), { maintenanceIntervalMs: 100 });
    try {
      const finished = await second.waitForJob(id, 30_000);
      expect(finished).toMatchObject({ state: 'COMPLETED', result: '{"before":"before","after":"after"}' });
      expect((await tasksOfJob(test.db, id)).filter((record) => record.name === 'Before')).toHaveLength(1);
    } finally {
      await second.stop();
    }
  }, 60_000);
});

describe('state machines over the API', () => {
  let test: TestDatabase;
  let engine: Engine;
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    test = await TEST_BACKENDS[1][1]();
    engine = await engineOn(test, worker('machines-api'), { maintenanceIntervalMs: 100 });
    app = await buildApp({ engine, version: '0.1.0' });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await engine?.stop();
    await test?.dispose();
  });

  const post = async (path: string, body: string, type = 'text/yaml') => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const helloYaml = 'comment: hello machine\nstartAt: Hello\nstates:\n  Hello:\n    type: pass\n    result: "Hello, World!"\n    end: true\n';

  it('POST /jobs?wait=true runs a machine (Twerk dialect, YAML) to its result', async () => {
    expect(await post('/jobs?wait=true', helloYaml)).toMatchObject({ status: 200, body: { name: 'hello machine', state: 'COMPLETED', result: '"Hello, World!"' } });
  });

  it('POST /machines starts an execution and answers its summary', async () => {
    const answer = await post('/machines', JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }), 'application/json');
    expect(answer).toMatchObject({ status: 200, body: { id: expect.any(String), name: 'state machine', state: 'PENDING' } });
    expect(await engine.waitForJob(answer.body['id'] as string, 10_000)).toMatchObject({ state: 'COMPLETED', result: '{}' });
  });

  it('POST /machines?input= gives the execution its input', async () => {
    const machine = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'doubled.$': 'States.MathAdd($.n, $.n)', 'input.$': '$$.Execution.Input' }, End: true } } });
    const answer = await post(`/machines?input=${encodeURIComponent('{"n":21}')}`, machine, 'application/json');
    expect(await engine.waitForJob(answer.body['id'] as string, 10_000)).toMatchObject({ state: 'COMPLETED', result: '{"doubled":42,"input":{"n":21}}' });
    expect(await post('/machines?input=%7Bnope', machine, 'application/json')).toMatchObject({ status: 400, body: { errors: [{ path: 'input', message: expect.stringMatching(/^is not JSON/) }] } });
  });

  it('refuses an invalid machine with every error and its path, and a job at POST /machines', async () => {
    const invalid = await post('/jobs', 'StartAt: A\nStates:\n  A:\n    Type: Pass\n    Next: Nowhere\n');
    expect(invalid.status).toBe(400);
    expect(invalid.body['errors']).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'States.A.Next' })]));
    const job = await post('/machines', 'name: a job\ntasks:\n  - name: t\n    run: "true"\n');
    expect(job).toMatchObject({ status: 400, body: { message: 'this is a job, not a state machine: submit it to POST /jobs' } });
  });
});
