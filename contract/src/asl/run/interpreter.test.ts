import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDocument } from '../../document/index.ts';
import { parseMachine } from '../parse.ts';
import type { Machine } from '../model.ts';
import { MAX_TRANSITIONS, runMachine, type TaskRequest, type TaskResult } from './interpreter.ts';

function machine(tree: unknown): Machine {
  const parsed = parseMachine(tree);
  if (!parsed.ok) throw new Error(parsed.error.errors.map((error) => `${error.path}: ${error.message}`).join('\n'));
  return parsed.value;
}

const examples = join(import.meta.dirname, '..', '..', '..', '..', 'examples');
function example(name: string): Machine {
  const tree = readDocument(readFileSync(join(examples, name)), 'text/yaml');
  if (!tree.ok) throw new Error(tree.error.message);
  return machine(tree.value);
}

/** A task runner that answers from a script per state, recording every request. */
function scriptedTasks(script: Record<string, (request: TaskRequest, call: number) => TaskResult>) {
  const calls: TaskRequest[] = [];
  return {
    calls,
    runTask: async (request: TaskRequest): Promise<TaskResult> => {
      calls.push(request);
      const answer = script[request.stateName];
      if (answer === undefined) return { ok: false, error: 'NoScript', cause: request.stateName };
      return answer(request, calls.filter((call) => call.stateName === request.stateName).length);
    },
  };
}

describe('the seed examples', () => {
  it('asl-hello.yaml passes its two results along', async () => {
    expect(await runMachine(example('asl-hello.yaml'), {})).toEqual({ status: 'SUCCEEDED', output: 'Goodbye!' });
  });

  it('asl-task-retry.yaml retries Build on TaskFailed, then runs Test and Deploy', async () => {
    const delays: number[] = [];
    const tasks = scriptedTasks({
      Build: (_request, call) => (call < 3 ? { ok: false, error: 'States.TaskFailed', cause: 'Build failed!' } : { ok: true, output: 'built' }),
      Test: () => ({ ok: true, output: 'tested' }),
      Deploy: () => ({ ok: true, output: { deployed: true } }),
    });
    const outcome = await runMachine(example('asl-task-retry.yaml'), {}, { runTask: tasks.runTask, sleep: async (ms) => void delays.push(ms) });
    expect(outcome).toEqual({ status: 'SUCCEEDED', output: { deployed: true } });
    expect(tasks.calls.map((call) => call.stateName)).toEqual(['Build', 'Build', 'Build', 'Test', 'Deploy']);
    expect(tasks.calls[0]).toMatchObject({ image: 'ubuntu:mantic', run: expect.stringContaining('Building...') });
    // intervalSeconds 1, backoffRate 2: 1 s, then 2 s.
    expect(delays).toEqual([1000, 2000]);
  });

  it('asl-task-retry.yaml fails once Build has used its three retries', async () => {
    const tasks = scriptedTasks({ Build: () => ({ ok: false, error: 'States.TaskFailed', cause: 'Build failed!' }) });
    expect(await runMachine(example('asl-task-retry.yaml'), {}, { runTask: tasks.runTask })).toEqual({ status: 'FAILED', error: 'States.TaskFailed', cause: 'Build failed!' });
    expect(tasks.calls).toHaveLength(4);
  });
});

describe('Retry and Catch', () => {
  const flaky = (failures: number, error = 'Flaky') => (_request: TaskRequest, call: number): TaskResult => (call <= failures ? { ok: false, error, cause: `call ${call}` } : { ok: true, output: { call } });

  it('counts attempts per retrier, and caps the delay with MaxDelaySeconds', async () => {
    const delays: number[] = [];
    const tasks = scriptedTasks({ T: flaky(4) });
    const outcome = await runMachine(
      machine({
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'twerk:task',
            Parameters: { image: 'alpine', run: 'x' },
            Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, BackoffRate: 3, MaxAttempts: 4, MaxDelaySeconds: 5 }],
            End: true,
          },
        },
      }),
      {},
      { runTask: tasks.runTask, sleep: async (ms) => void delays.push(ms) },
    );
    expect(outcome).toEqual({ status: 'SUCCEEDED', output: { call: 5 } });
    expect(delays).toEqual([1000, 3000, 5000, 5000]);
  });

  it('catches with the error as {Error, Cause} at ResultPath, and moves on', async () => {
    const tasks = scriptedTasks({ T: () => ({ ok: false, error: 'Boom', cause: 'it broke' }) });
    const outcome = await runMachine(
      machine({
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'alpine', run: 'x' }, Catch: [{ ErrorEquals: ['Other'], Next: 'Never' }, { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Handled' }], End: true },
          Never: { Type: 'Fail' },
          Handled: { Type: 'Succeed' },
        },
      }),
      { kept: true },
      { runTask: tasks.runTask },
    );
    expect(outcome).toEqual({ status: 'SUCCEEDED', output: { kept: true, failure: { Error: 'Boom', Cause: 'it broke' } } });
  });

  it('does not let States.ALL catch States.Runtime', async () => {
    const outcome = await runMachine(
      machine({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'alpine', run: 'x' }, InputPath: '$.missing', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }], End: true }, Handled: { Type: 'Succeed' } } }),
      {},
      { runTask: async () => ({ ok: true, output: 1 }) },
    );
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});

describe('time', () => {
  it('fails an execution that runs past its TimeoutSeconds with States.Timeout', async () => {
    const outcome = await runMachine(machine({ StartAt: 'W', TimeoutSeconds: 10, States: { W: { Type: 'Wait', Seconds: 30, Next: 'Done' }, Done: { Type: 'Succeed' } } }), {});
    expect(outcome).toEqual({ status: 'FAILED', error: 'States.Timeout', cause: 'the execution ran past its TimeoutSeconds' });
  });

  it('waits until a timestamp on the given clock', async () => {
    const waited: number[] = [];
    const outcome = await runMachine(machine({ StartAt: 'W', States: { W: { Type: 'Wait', TimestampPath: '$.at', End: true } } }), { at: '2026-12-01T12:00:30Z' }, {
      now: () => new Date('2026-12-01T12:00:00Z'),
      sleep: async (ms) => void waited.push(ms),
    });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(waited).toEqual([30_000]);
  });

  it('stops a machine that never ends', async () => {
    const loop = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'C' }, C: { Type: 'Choice', Choices: [{ Variable: '$.stop', IsPresent: true, Next: 'Done' }], Default: 'A' }, Done: { Type: 'Succeed' } } };
    const outcome = await runMachine(machine(loop), {});
    expect(outcome).toEqual({ status: 'FAILED', error: 'States.Runtime', cause: `the execution took more than ${MAX_TRANSITIONS} transitions` });
  });
});

describe('Parallel and Map', () => {
  it('stops the other branches when one fails, and reports the failure', async () => {
    const tasks = scriptedTasks({ Slow: () => ({ ok: true, output: 'slow' }), Bad: () => ({ ok: false, error: 'Bad', cause: 'branch 1' }) });
    const branch = (state: string, waits: number) => ({
      StartAt: `Wait${state}`,
      States: { [`Wait${state}`]: { Type: 'Wait', Seconds: waits, Next: state }, [state]: { Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'alpine', run: 'x' }, End: true } },
    });
    const outcome = await runMachine(machine({ StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [branch('Slow', 6), branch('Bad', 1)], End: true } } }), {}, {
      runTask: tasks.runTask,
      // Real (short) waits, so the failing branch finishes first.
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / 30)),
    });
    expect(outcome).toEqual({ status: 'FAILED', error: 'Bad', cause: 'branch 1' });
    expect(tasks.calls.map((call) => call.stateName)).toEqual(['Bad']);
  });

  it('tolerates failed items up to ToleratedFailurePercentage, keeping their errors in place', async () => {
    const m = (tolerated: number) =>
      machine({
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ToleratedFailurePercentage: tolerated,
            ItemProcessor: { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$', NumericGreaterThan: 2, Next: 'No' }], Default: 'Yes' }, Yes: { Type: 'Succeed' }, No: { Type: 'Fail', Error: 'TooBig', Cause: 'big' } } },
            End: true,
          },
        },
      });
    expect(await runMachine(m(50), [1, 2, 3, 4])).toEqual({ status: 'SUCCEEDED', output: [1, 2, { Error: 'TooBig', Cause: 'big' }, { Error: 'TooBig', Cause: 'big' }] });
    expect(await runMachine(m(25), [1, 2, 3, 4])).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(await runMachine(m(0), [1, 2, 3, 4])).toEqual({ status: 'FAILED', error: 'TooBig', cause: 'big' });
  });

  it('runs at most MaxConcurrency iterations at once', async () => {
    let running = 0;
    let most = 0;
    const outcome = await runMachine(
      machine({ StartAt: 'M', States: { M: { Type: 'Map', MaxConcurrency: 2, ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'alpine', run: 'x' }, End: true } } }, End: true } } }),
      [1, 2, 3, 4, 5],
      {
        runTask: async (request) => {
          running += 1;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running -= 1;
          return { ok: true, output: (request.input as number) * 10 };
        },
      },
    );
    expect(outcome).toEqual({ status: 'SUCCEEDED', output: [10, 20, 30, 40, 50] });
    expect(most).toBe(2);
  });
});

describe('keys of tasks and waits', () => {
  it('name each attempt of each visit by its place, the same on every run', async () => {
    const loopy = machine({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Next: 'T' }, T: { Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'alpine', run: 'x' }, Retry: [{ ErrorEquals: ['Once'], MaxAttempts: 1 }], End: true } } },
          Next: 'Again',
        },
        Again: { Type: 'Choice', Choices: [{ Variable: '$[0]', IsString: true, Next: 'Done' }], Default: 'Each' },
        Done: { Type: 'Succeed' },
      },
    });
    const run = async () => {
      const keys: string[] = [];
      const failedOnce = new Set<string>();
      let round = 0;
      await runMachine(loopy, [1, 2], {
        sleep: async (_ms, key) => void keys.push(key),
        runTask: async (request) => {
          keys.push(request.key);
          if (request.input === 2 && !failedOnce.has(request.key.replace(/@\d+$/, ''))) {
            failedOnce.add(request.key.replace(/@\d+$/, ''));
            return { ok: false, error: 'Once' };
          }
          round += 1;
          return { ok: true, output: round > 2 ? 'done' : request.input };
        },
      });
      return keys.sort();
    };
    const first = await run();
    expect(first).toEqual(
      [
        'Each#1@0[0]/W#1:wait', 'Each#1@0[0]/T#1@0',
        'Each#1@0[1]/W#1:wait', 'Each#1@0[1]/T#1@0', 'Each#1@0[1]/T#1@0:retry', 'Each#1@0[1]/T#1@1',
        'Each#2@0[0]/W#1:wait', 'Each#2@0[0]/T#1@0',
        'Each#2@0[1]/W#1:wait', 'Each#2@0[1]/T#1@0', 'Each#2@0[1]/T#1@0:retry', 'Each#2@0[1]/T#1@1',
      ].sort(),
    );
    expect(await run()).toEqual(first);
  });
});

describe("Twerk's dialect", () => {
  it('evaluates choice conditions as expressions over $ and variables set with assign', async () => {
    const outcome = await runMachine(
      machine({
        startAt: 'Count',
        states: {
          Count: { type: 'pass', assign: { limit: '$.limit' }, next: 'Check' },
          Check: { type: 'choice', choices: [{ condition: '$.value > limit', next: 'Big' }], default: 'Small' },
          Big: { type: 'pass', result: 'big', end: true },
          Small: { type: 'pass', result: 'small', end: true },
        },
      }),
      { value: 12, limit: 10 },
    );
    expect(outcome).toEqual({ status: 'SUCCEEDED', output: 'big' });
  });

  it('fails with States.NoChoiceMatched when no rule matches and there is no default', async () => {
    const outcome = await runMachine(machine({ startAt: 'C', states: { C: { type: 'choice', choices: [{ condition: '$.n == 1', next: 'D' }] }, D: { type: 'succeed' } } }), { n: 2 });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'States.NoChoiceMatched' });
  });
});
