import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { awsMachineSchema, isMachineDocument, machineDialectOf, parseMachine, twerkMachineSchema, validateMachine, type Machine } from './index.ts';

const example = (name: string): unknown => parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'examples', name), 'utf8'));

function machine(tree: unknown): Machine {
  const result = parseMachine(tree);
  if (!result.ok) throw new Error(JSON.stringify(result.error.errors));
  return result.value;
}

/** The model without the dialect it came from, at every depth, to compare machines across dialects. */
function withoutDialect(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDialect);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'dialect').map(([key, item]) => [key, withoutDialect(item)]));
}

describe('the example machines', () => {
  it('parses asl-hello.yaml: two pass states from Hello, in document order', () => {
    const hello = machine(example('asl-hello.yaml'));
    expect(hello).toEqual({
      dialect: 'twerk',
      comment: 'Simple two-step ASL workflow',
      startAt: 'Hello',
      states: {
        Hello: { type: 'pass', result: 'Hello, World!', next: 'Goodbye' },
        Goodbye: { type: 'pass', result: 'Goodbye!', end: true },
      },
    });
    expect(Object.keys(hello.states)).toEqual(['Hello', 'Goodbye']);
  });

  it('parses asl-task-retry.yaml: three tasks from Build, the retrier normalized to AWS error names', () => {
    const retry = machine(example('asl-task-retry.yaml'));
    expect(retry.startAt).toBe('Build');
    expect(Object.keys(retry.states)).toEqual(['Build', 'Test', 'Deploy']);
    expect(retry.states['Build']).toEqual({
      type: 'task',
      image: 'ubuntu:mantic',
      run: expect.stringContaining('echo "Building..."'),
      retry: [{ errorEquals: ['States.TaskFailed'], intervalSeconds: 1, maxAttempts: 3, backoffRate: 2, jitterStrategy: 'NONE' }],
      catch: [],
      next: 'Test',
    });
    expect(retry.states['Deploy']).toEqual({ type: 'task', image: 'ubuntu:mantic', run: 'echo "Deploying..."', retry: [], catch: [], end: true });
  });

  it('are valid against the exported Twerk schema as well', () => {
    expect(twerkMachineSchema.safeParse(example('asl-hello.yaml')).success).toBe(true);
    expect(twerkMachineSchema.safeParse(example('asl-task-retry.yaml')).success).toBe(true);
  });
});

describe('the two dialects', () => {
  const twerk = {
    comment: 'everything once',
    startAt: 'Build',
    timeout: 3600,
    states: {
      Build: {
        type: 'task', image: 'alpine', run: 'make', env: { A: '1' }, var: 'built', timeout: 60, heartbeat: 10, resultPath: '$.build',
        retry: [{ errorEquals: ['taskfailed', 'Flaky'], intervalSeconds: 2, maxAttempts: 2, backoffRate: 1.5, maxDelaySeconds: 30, jitterStrategy: 'FULL' }, { errorEquals: ['all'], intervalSeconds: 1, maxAttempts: 1, backoffRate: 1 }],
        catch: [{ errorEquals: ['all'], next: 'Oops', resultPath: '$.error' }],
        next: 'Route',
      },
      Route: { type: 'choice', choices: [{ condition: '$.build.ok', next: 'Pause' }], default: 'Oops' },
      Pause: { type: 'wait', seconds_path: '$.delay', next: 'Fan' },
      Fan: {
        type: 'parallel',
        branches: [{ startAt: 'One', states: { One: { type: 'pass', result: 1, end: true } } }, { startAt: 'Two', states: { Two: { type: 'succeed' } } }],
        next: 'Each',
      },
      Each: {
        type: 'map', itemsPath: '$.items', maxConcurrency: 4, toleratedFailurePercentage: 10,
        itemProcessor: { startAt: 'Work', states: { Work: { type: 'task', image: 'alpine', run: 'echo item', end: true } } },
        next: 'Done',
      },
      Oops: { type: 'fail', error: 'Broken', cause: 'build failed' },
      Done: { type: 'succeed', outputPath: '$.result' },
    },
  };
  const aws = {
    Comment: 'everything once',
    StartAt: 'Build',
    TimeoutSeconds: 3600,
    States: {
      Build: {
        Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'alpine', run: 'make', env: { A: '1' }, var: 'built' }, TimeoutSeconds: 60, HeartbeatSeconds: 10, ResultPath: '$.build',
        Retry: [{ ErrorEquals: ['States.TaskFailed', 'Flaky'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 1.5, MaxDelaySeconds: 30, JitterStrategy: 'FULL' }, { ErrorEquals: ['States.ALL'], MaxAttempts: 1, BackoffRate: 1 }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Oops', ResultPath: '$.error' }],
        Next: 'Route',
      },
      Route: { Type: 'Choice', Choices: [{ Condition: '$.build.ok', Next: 'Pause' }], Default: 'Oops' },
      Pause: { Type: 'Wait', SecondsPath: '$.delay', Next: 'Fan' },
      Fan: {
        Type: 'Parallel',
        Branches: [{ StartAt: 'One', States: { One: { Type: 'Pass', Result: 1, End: true } } }, { StartAt: 'Two', States: { Two: { Type: 'Succeed' } } }],
        Next: 'Each',
      },
      Each: {
        Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 4, ToleratedFailurePercentage: 10,
        ItemProcessor: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'alpine', run: 'echo item' }, End: true } } },
        Next: 'Done',
      },
      Oops: { Type: 'Fail', Error: 'Broken', Cause: 'build failed' },
      Done: { Type: 'Succeed', OutputPath: '$.result' },
    },
  };

  it('normalize the same machine to the same model, at every depth', () => {
    const fromTwerk = machine(twerk);
    const fromAws = machine(aws);
    expect(fromTwerk.dialect).toBe('twerk');
    expect(fromAws.dialect).toBe('aws');
    expect(withoutDialect(fromAws)).toEqual(withoutDialect(fromTwerk));
    expect(fromAws.states['Build']).toMatchObject({ retry: [{ errorEquals: ['States.TaskFailed', 'Flaky'] }, { errorEquals: ['States.ALL'], intervalSeconds: 1 }] });
  });

  it('fill in AWS retry defaults where AWS allows leaving fields out', () => {
    const result = machine({ StartAt: 'A', States: { A: { Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'a', run: 'b' }, Retry: [{ ErrorEquals: ['States.Timeout'] }], End: true } } });
    expect(result.states['A']).toMatchObject({ retry: [{ errorEquals: ['States.Timeout'], intervalSeconds: 1, maxAttempts: 3, backoffRate: 2, jitterStrategy: 'NONE' }] });
  });

  it('read AWS choice rules with nested And/Or/Not and every kind of comparison', () => {
    const choice = machine({
      StartAt: 'Route',
      States: {
        Route: {
          Type: 'Choice',
          Choices: [
            { And: [{ Variable: '$.n', NumericGreaterThan: 1 }, { Not: { Variable: '$.s', StringEquals: 'x' } }], Next: 'Done', Assign: { seen: true } },
            { Or: [{ Variable: '$.t', TimestampLessThanEquals: '2026-01-31T12:00:00Z' }, { Variable: '$.a', NumericEqualsPath: '$.b' }, { Variable: '$.c', IsPresent: false }], Next: 'Done' },
          ],
          Default: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    });
    expect(choice.states['Route']).toEqual({
      type: 'choice',
      choices: [
        {
          condition: { kind: 'and', conditions: [{ kind: 'compare', variable: '$.n', operator: 'NumericGreaterThan', value: 1 }, { kind: 'not', condition: { kind: 'compare', variable: '$.s', operator: 'StringEquals', value: 'x' } }] },
          next: 'Done',
          assign: { seen: true },
        },
        {
          condition: {
            kind: 'or',
            conditions: [
              { kind: 'compare', variable: '$.t', operator: 'TimestampLessThanEquals', value: '2026-01-31T12:00:00Z' },
              { kind: 'compare', variable: '$.a', operator: 'NumericEqualsPath', value: '$.b' },
              { kind: 'compare', variable: '$.c', operator: 'IsPresent', value: false },
            ],
          },
          next: 'Done',
        },
      ],
      default: 'Done',
    });
  });

  it("keep every field a document may give, so the executor can honour it (AWS's data-flow fields)", () => {
    const result = machine({
      StartAt: 'Shape',
      Version: '1.0',
      States: {
        Shape: { Type: 'Pass', Parameters: { 'x.$': '$.y' }, ResultPath: null, InputPath: null, Assign: { count: 1 }, Next: 'Run' },
        Run: {
          Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'a', run: 'b' }, ResultSelector: { 'out.$': '$.stdout' },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Stop', Assign: { failed: true } }], Next: 'Each',
        },
        Each: { Type: 'Map', Iterator: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, Parameters: { 'v.$': '$$.Map.Item.Value' }, Next: 'Stop' },
        Stop: { Type: 'Fail', ErrorPath: '$.error', CausePath: '$.cause' },
      },
    });
    expect(result.version).toBe('1.0');
    expect(result.states['Shape']).toEqual({ type: 'pass', parameters: { 'x.$': '$.y' }, resultPath: null, inputPath: null, assign: { count: 1 }, next: 'Run' });
    expect(result.states['Run']).toMatchObject({ resultSelector: { 'out.$': '$.stdout' }, catch: [{ errorEquals: ['States.ALL'], next: 'Stop', assign: { failed: true } }] });
    expect(result.states['Each']).toEqual({
      type: 'map',
      itemProcessor: { dialect: 'aws', startAt: 'P', states: { P: { type: 'pass', end: true } } },
      itemSelector: { 'v.$': '$$.Map.Item.Value' },
      retry: [],
      catch: [],
      next: 'Stop',
    });
    expect(result.states['Stop']).toEqual({ type: 'fail', errorPath: '$.error', causePath: '$.cause' });
  });

  it("keep the Twerk dialect's assign, failFast and catcher assign", () => {
    const result = machine({
      startAt: 'Fan',
      states: {
        Fan: { type: 'parallel', failFast: false, assign: { started: 'now()' }, branches: [{ startAt: 'A', states: { A: { type: 'succeed' } } }], catch: [{ errorEquals: ['branchfailed'], next: 'Done', assign: { failed: 'true' } }], next: 'Route' },
        Route: { type: 'choice', choices: [{ condition: 'x > 1', next: 'Done', assign: { big: 'x' } }] },
        Done: { type: 'succeed' },
      },
    });
    expect(result.states['Fan']).toMatchObject({ failFast: false, assign: { started: 'now()' }, catch: [{ errorEquals: ['States.BranchFailed'], next: 'Done', assign: { failed: 'true' } }] });
    expect(result.states['Route']).toEqual({ type: 'choice', choices: [{ condition: { kind: 'expression', text: 'x > 1' }, next: 'Done', assign: { big: 'x' } }] });
  });
});

describe('telling a machine from a job', () => {
  it('knows machines in either dialect', () => {
    expect(machineDialectOf({ startAt: 'A', states: {} })).toBe('twerk');
    expect(machineDialectOf({ StartAt: 'A', States: {} })).toBe('aws');
    expect(isMachineDocument({ states: {} })).toBe(true);
    expect(isMachineDocument({ StartAt: 'A' })).toBe(true);
  });

  it('prefers AWS when keys of both dialects appear, so the camelCase key is reported as unknown', () => {
    expect(machineDialectOf({ startAt: 'A', States: {} })).toBe('aws');
    const result = parseMachine({ startAt: 'A', States: { A: { Type: 'Succeed' } } });
    expect(result.ok ? [] : result.error.errors).toEqual([
      { path: 'StartAt', message: 'is required' },
      { path: 'startAt', message: 'is not a known field (did you mean "StartAt"?)' },
    ]);
  });

  it('does not take a job, or anything else, for a machine', () => {
    expect(isMachineDocument({ name: 'job', tasks: [{ name: 't', image: 'alpine', run: 'true' }] })).toBe(false);
    expect(isMachineDocument({ name: 'job', tasks: [], states: {} })).toBe(false);
    for (const junk of [null, undefined, 0, 'startAt', [], [{ startAt: 'A' }], {}, { name: 'x' }, { StartsAt: 'A' }]) {
      expect(isMachineDocument(junk), JSON.stringify(junk)).toBe(false);
    }
  });

  it('answers a non-machine with one document-level error', () => {
    const result = parseMachine([1, 2]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.errors).toEqual([{ path: '', message: 'a state machine must be a mapping with startAt and states (or StartAt and States)' }]);
  });
});

describe('parseMachine', () => {
  const stateType = fc.constantFrom('task', 'pass', 'choice', 'wait', 'succeed', 'fail', 'parallel', 'map', 'switch', 'Task', 'Map', 'Choice', 'Succeed');
  const state = fc.record(
    {
      type: stateType,
      Type: stateType,
      next: fc.string({ maxLength: 3 }),
      Next: fc.string({ maxLength: 3 }),
      end: fc.oneof(fc.constant(true), fc.jsonValue()),
      choices: fc.array(fc.record({ next: fc.string({ maxLength: 2 }), Variable: fc.string(), condition: fc.jsonValue() }, { requiredKeys: [] }), { maxLength: 2 }),
      branches: fc.array(fc.record({ startAt: fc.string({ maxLength: 2 }), StartAt: fc.string({ maxLength: 2 }), states: fc.jsonValue() }, { requiredKeys: [] }), { maxLength: 2 }),
      catch: fc.jsonValue(),
      Retry: fc.jsonValue(),
      image: fc.string(),
      run: fc.string(),
    },
    { requiredKeys: [] },
  );
  const machineLike = fc.record(
    { startAt: fc.string({ maxLength: 3 }), StartAt: fc.string({ maxLength: 3 }), states: fc.dictionary(fc.string({ maxLength: 3 }), state, { maxKeys: 4 }), States: fc.dictionary(fc.string({ maxLength: 3 }), state, { maxKeys: 4 }) },
    { requiredKeys: [] },
  );

  it('never throws, and answers every invalid document with at least one located error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), machineLike, fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true })), (tree) => {
        const result = parseMachine(tree);
        if (!result.ok) {
          expect(result.error.errors.length).toBeGreaterThan(0);
          for (const error of result.error.errors) expect(typeof error.message).toBe('string');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses trees built in code that refer to themselves or nest beyond any real machine, instead of overflowing the stack', () => {
    const branch: Record<string, unknown> = { startAt: 'A' };
    branch['states'] = { A: { type: 'parallel', branches: [branch], end: true } };
    const cyclic = parseMachine(branch);
    expect(cyclic.ok ? undefined : cyclic.error.errors).toEqual([{ path: '', message: 'a state machine cannot contain itself (the document refers back to one of its own parts)' }]);

    let deep: unknown = { startAt: 'A', states: { A: { type: 'succeed' } } };
    for (let level = 0; level < 100; level++) deep = { startAt: 'P', states: { P: { type: 'parallel', branches: [deep], end: true } } };
    const tooDeep = parseMachine(deep);
    expect(tooDeep.ok ? undefined : tooDeep.error.errors).toEqual([{ path: '', message: 'a state machine may nest at most 256 levels deep' }]);

    // Shared (not cyclic) parts are fine: YAML aliases produce them.
    const shared = { startAt: 'A', states: { A: { type: 'succeed' } } };
    expect(parseMachine({ startAt: 'P', states: { P: { type: 'parallel', branches: [shared, shared], end: true } } }).ok).toBe(true);
  });

  it('describes values JSON cannot show', () => {
    const result = parseMachine({ startAt: 'A', states: { A: { type: 10n } } });
    expect(result.ok ? undefined : result.error.errors).toEqual([{ path: 'states.A.type', message: 'must be one of "task", "pass", "choice", "wait", "succeed", "fail", "parallel", "map" (got bigint)' }]);
  });

  it('accepts any well-formed machine in either dialect, to the same model, and the exported schemas agree', () => {
    // A random well-formed machine: a chain of pass/wait/task states, each optionally guarded by a choice that may loop back.
    const step = fc.record({ kind: fc.constantFrom('pass', 'wait', 'task'), loopBack: fc.boolean(), seconds: fc.nat(100) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), (steps) => {
        const twerkStates: Record<string, unknown> = {};
        const awsStates: Record<string, unknown> = {};
        steps.forEach((item, index) => {
          const name = `S${index}`;
          const next = index === steps.length - 1 ? undefined : `S${index + 1}`;
          const twerkMove = next === undefined ? { end: true } : { next };
          const awsMove = next === undefined ? { End: true } : { Next: next };
          if (item.kind === 'pass') {
            twerkStates[name] = { type: 'pass', result: item.seconds, ...twerkMove };
            awsStates[name] = { Type: 'Pass', Result: item.seconds, ...awsMove };
          } else if (item.kind === 'wait') {
            twerkStates[name] = { type: 'wait', seconds: item.seconds, ...twerkMove };
            awsStates[name] = { Type: 'Wait', Seconds: item.seconds, ...awsMove };
          } else {
            twerkStates[name] = { type: 'task', image: 'alpine', run: `sleep ${item.seconds}`, ...twerkMove };
            awsStates[name] = { Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'alpine', run: `sleep ${item.seconds}` }, ...awsMove };
          }
          if (item.loopBack && next !== undefined) {
            twerkStates[`${name}Check`] = { type: 'choice', choices: [{ condition: '$.again', next: 'S0' }], default: next };
            awsStates[`${name}Check`] = { Type: 'Choice', Choices: [{ Variable: '$.again', BooleanEquals: true, Next: 'S0' }], Default: next };
            (twerkStates[name] as { next: string }).next = `${name}Check`;
            (awsStates[name] as { Next: string }).Next = `${name}Check`;
          }
        });
        const twerk = { startAt: 'S0', states: twerkStates };
        const aws = { StartAt: 'S0', States: awsStates };
        const fromTwerk = machine(twerk);
        const fromAws = machine(aws);
        expect(twerkMachineSchema.safeParse(twerk).success).toBe(true);
        expect(awsMachineSchema.safeParse(aws).success).toBe(true);
        expect(validateMachine(fromTwerk)).toEqual([]);
        expect(Object.keys(fromAws.states)).toEqual(Object.keys(fromTwerk.states));
        // Only the choice conditions differ (an expression against a comparison); everything else is the same model.
        const withoutConditions = (value: Machine): unknown =>
          withoutDialect({ ...value, states: Object.fromEntries(Object.entries(value.states).map(([name, item]) => [name, item.type === 'choice' ? { ...item, choices: item.choices.map((rule) => rule.next) } : item])) });
        expect(withoutConditions(fromAws)).toEqual(withoutConditions(fromTwerk));
      }),
      { numRuns: 200 },
    );
  });
});
