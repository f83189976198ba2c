import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isMachineDocument, machineDialectOf, parseMachine, type Machine } from './index.ts';

const example = (name: string): unknown => parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'examples', name), 'utf8'));

function machine(tree: unknown): Machine {
  const result = parseMachine(tree);
  if (!result.ok) throw new Error(JSON.stringify(result.error.errors));
  return result.value;
}

function errorsOf(tree: unknown): { path: string; message: string }[] {
  const result = parseMachine(tree);
  if (result.ok) throw new Error('expected the machine to be rejected');
  return [...result.error.errors];
}

const twerkTwoSteps = { startAt: 'A', states: { A: { type: 'pass', next: 'B' }, B: { type: 'succeed' } } };

describe('the example machines', () => {
  it('parses asl-hello.yaml: two pass states from Hello', () => {
    const hello = machine(example('asl-hello.yaml'));
    expect(hello).toMatchObject({ dialect: 'twerk', startAt: 'Hello', comment: 'Simple two-step ASL workflow' });
    expect(Object.keys(hello.states)).toEqual(['Hello', 'Goodbye']);
    expect(hello.states['Hello']).toEqual({ type: 'pass', result: 'Hello, World!', next: 'Goodbye' });
  });

  it('parses asl-task-retry.yaml: three tasks from Build, with the retrier normalized', () => {
    const retry = machine(example('asl-task-retry.yaml'));
    expect(retry.startAt).toBe('Build');
    expect(Object.keys(retry.states)).toEqual(['Build', 'Test', 'Deploy']);
    expect(retry.states['Build']).toMatchObject({
      type: 'task',
      image: 'ubuntu:mantic',
      retry: [{ errorEquals: ['States.TaskFailed'], intervalSeconds: 1, maxAttempts: 3, backoffRate: 2, jitterStrategy: 'NONE' }],
      next: 'Test',
    });
  });
});

describe('the two dialects', () => {
  const twerk = {
    startAt: 'Build',
    states: {
      Build: { type: 'task', image: 'alpine', run: 'make', env: { A: '1' }, timeout: 60, heartbeat: 10, retry: [{ errorEquals: ['all'], intervalSeconds: 2, maxAttempts: 2, backoffRate: 1.5 }], catch: [{ errorEquals: ['all'], next: 'Oops' }], next: 'Pause' },
      Pause: { type: 'wait', seconds_path: '$.delay', next: 'Done' },
      Oops: { type: 'fail', error: 'Broken', cause: 'build failed' },
      Done: { type: 'succeed' },
    },
  };
  const aws = {
    StartAt: 'Build',
    States: {
      Build: {
        Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'alpine', run: 'make', env: { A: '1' } }, TimeoutSeconds: 60, HeartbeatSeconds: 10,
        Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 1.5 }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Oops' }], Next: 'Pause',
      },
      Pause: { Type: 'Wait', SecondsPath: '$.delay', Next: 'Done' },
      Oops: { Type: 'Fail', Error: 'Broken', Cause: 'build failed' },
      Done: { Type: 'Succeed' },
    },
  };

  it('normalize the same machine to the same model', () => {
    const { dialect: _twerk, ...fromTwerk } = machine(twerk);
    const { dialect: _aws, ...fromAws } = machine(aws);
    expect(fromAws).toEqual(fromTwerk);
  });

  it('are told apart, and a job is not a machine', () => {
    expect(machineDialectOf(twerk)).toBe('twerk');
    expect(machineDialectOf(aws)).toBe('aws');
    expect(isMachineDocument({ name: 'job', tasks: [] })).toBe(false);
    expect(isMachineDocument([1])).toBe(false);
    expect(isMachineDocument(null)).toBe(false);
  });

  it('read AWS choice rules with nested And/Or/Not', () => {
    const choice = machine({
      StartAt: 'Route',
      States: {
        Route: { Type: 'Choice', Choices: [{ And: [{ Variable: '$.n', NumericGreaterThan: 1 }, { Not: { Variable: '$.s', StringEquals: 'x' } }], Next: 'Done' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    });
    expect(choice.states['Route']).toMatchObject({
      type: 'choice',
      choices: [{ next: 'Done', condition: { kind: 'and', conditions: [{ kind: 'compare', variable: '$.n', operator: 'NumericGreaterThan', value: 1 }, { kind: 'not' }] } }],
    });
  });
});

describe('validation, with paths in the user\'s spelling', () => {
  it('rejects unknown keys', () => {
    expect(errorsOf({ ...twerkTwoSteps, states: { ...twerkTwoSteps.states, A: { type: 'pass', nxt: 'B', next: 'B' } } })).toContainEqual(expect.objectContaining({ path: 'states.A.nxt' }));
    expect(errorsOf({ StartAt: 'A', States: { A: { Type: 'Succeed', Extra: 1 } } })).toContainEqual(expect.objectContaining({ path: 'States.A.Extra' }));
  });

  it('requires startAt to name a state', () => {
    expect(errorsOf({ ...twerkTwoSteps, startAt: 'Z' })).toContainEqual({ path: 'startAt', message: 'names no state: "Z" is not one of "A", "B"' });
  });

  it('requires transitions to name states, in every place they appear', () => {
    const errors = errorsOf({
      StartAt: 'A',
      States: {
        A: { Type: 'Choice', Choices: [{ Variable: '$.x', BooleanEquals: true, Next: 'Nope' }], Default: 'Gone' },
        B: { Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'a', run: 'b' }, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Missing' }], End: true },
      },
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: 'States.A.Choices[0].Next', message: 'names no state: "Nope"' },
        { path: 'States.A.Default', message: 'names no state: "Gone"' },
        { path: 'States.B.Catch[0].Next', message: 'names no state: "Missing"' },
      ]),
    );
  });

  it('requires exactly one of next and end', () => {
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'pass' } } })).toContainEqual({ path: 'states.A', message: 'needs next or end: true' });
    expect(errorsOf({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'A', End: true } } })).toContainEqual({ path: 'States.A.Next', message: 'cannot be combined with End: a state either moves on or ends' });
  });

  it('reports unreachable states and machines that never end', () => {
    expect(errorsOf({ ...twerkTwoSteps, states: { ...twerkTwoSteps.states, C: { type: 'succeed' } } })).toContainEqual({ path: 'states.C', message: 'is unreachable from startAt "A"' });
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'pass', next: 'A' } } })).toContainEqual({ path: 'states', message: 'no reachable state ends the execution: add a succeed or fail state, or end: true' });
  });

  it('allows loops', () => {
    expect(parseMachine({ startAt: 'A', states: { A: { type: 'choice', choices: [{ condition: '$.again', next: 'A' }], default: 'B' }, B: { type: 'succeed' } } }).ok).toBe(true);
  });

  it('requires States.ALL to be alone and last', () => {
    const errors = errorsOf({
      StartAt: 'A',
      States: { A: { Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'a', run: 'b' }, Retry: [{ ErrorEquals: ['States.ALL', 'X'] }, { ErrorEquals: ['Y'] }], End: true } },
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: 'States.A.Retry[0].ErrorEquals', message: 'States.ALL must appear alone' },
        { path: 'States.A.Retry[0].ErrorEquals', message: 'a retrier for States.ALL must be the last one' },
      ]),
    );
  });

  it('checks heartbeat against timeout, wait fields, retry delays and Resources', () => {
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'task', image: 'a', run: 'b', timeout: 5, heartbeat: 5, end: true } } })).toContainEqual({ path: 'states.A.heartbeat', message: 'must be less than timeout (5)' });
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'wait', seconds: 1, timestamp: 'x', end: true } } })).toContainEqual({ path: 'states.A', message: 'takes only one of seconds, timestamp' });
    expect(errorsOf({ StartAt: 'A', States: { A: { Type: 'Wait', End: true } } })).toContainEqual({ path: 'States.A', message: 'needs one of Seconds, Timestamp, SecondsPath, TimestampPath' });
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'task', image: 'a', run: 'b', retry: [{ errorEquals: ['x'], intervalSeconds: 5, maxAttempts: 1, backoffRate: 1, maxDelaySeconds: 5 }], end: true } } })).toContainEqual({
      path: 'states.A.retry[0].maxDelaySeconds',
      message: 'must be greater than intervalSeconds (5)',
    });
    expect(errorsOf({ StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:lambda:x', Parameters: { image: 'a', run: 'b' }, End: true } } })).toContainEqual(
      expect.objectContaining({ path: 'States.A.Resource' }),
    );
  });

  it('validates inside parallel branches and map processors', () => {
    const errors = errorsOf({
      startAt: 'Fan',
      states: {
        Fan: { type: 'parallel', branches: [{ startAt: 'X', states: { Y: { type: 'succeed' } } }], next: 'Each' },
        Each: { type: 'map', itemsPath: '$.items', itemProcessor: { startAt: 'P', states: { P: { type: 'pass' } } }, end: true },
      },
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'states.Fan.branches[0].startAt' }),
        { path: 'states.Each.itemProcessor.states.P', message: 'needs next or end: true' },
      ]),
    );
  });

  it("rejects Twerk's switch state, pointing to choice", () => {
    expect(errorsOf({ startAt: 'S', states: { S: { type: 'switch', cases: [] } } })).toContainEqual({ path: 'states.S.type', message: 'switch states are not supported: use a choice state with conditions' });
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ startAt: fc.string(), states: fc.dictionary(fc.string(), fc.jsonValue()) })), (tree) => {
        expect(typeof parseMachine(tree).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});
