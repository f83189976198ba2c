import { describe, expect, it } from 'vitest';
import type { FieldError } from '../errors.ts';
import { parseMachine, validateMachine, type Machine } from './index.ts';

/** Every error parseMachine reports for a document it must refuse. */
function errorsOf(tree: unknown): readonly FieldError[] {
  const result = parseMachine(tree);
  if (result.ok) throw new Error('expected the machine to be refused');
  return result.error.errors;
}

const task = { Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'alpine', run: 'true' } };
const twerkTask = { type: 'task', image: 'alpine', run: 'true' };
const retrier = { intervalSeconds: 1, maxAttempts: 1, backoffRate: 1 };

describe('states and names', () => {
  it('needs at least one state, reported once', () => {
    expect(errorsOf({ startAt: 'A', states: {} })).toEqual([{ path: 'states', message: 'must have at least one state' }]);
    expect(errorsOf({ StartAt: 'A', States: {} })).toEqual([{ path: 'States', message: 'must have at least one state' }]);
  });

  it('needs startAt, naming an existing state', () => {
    expect(errorsOf({ states: { A: { type: 'succeed' } } })).toEqual([{ path: 'startAt', message: 'is required' }]);
    // Reachability is not judged from a startAt that names no state: every state would be "unreachable".
    expect(errorsOf({ StartAt: 'Z', States: { A: { Type: 'Succeed' }, B: { Type: 'Succeed' } } })).toEqual([{ path: 'StartAt', message: 'names no state: "Z" is not one of "A", "B"' }]);
  });

  it('limits state names to 80 characters', () => {
    const long = 'N'.repeat(81);
    expect(errorsOf({ startAt: long, states: { [long]: { type: 'succeed' } } })).toEqual([
      { path: 'startAt', message: 'must be at most 80 characters long' },
      { path: `states.${long}`, message: 'must be at most 80 characters long' },
    ]);
    expect(parseMachine({ startAt: 'N'.repeat(80), states: { ['N'.repeat(80)]: { type: 'succeed' } } }).ok).toBe(true);
  });

  it('refuses states that are not a mapping', () => {
    expect(errorsOf({ startAt: 'A', states: [] })).toEqual([{ path: 'states', message: 'must be a mapping, not a list' }]);
  });
});

describe('transitions', () => {
  it('must name a state, wherever they appear: next, choice rules, default, catchers', () => {
    expect(
      errorsOf({
        StartAt: 'A',
        States: {
          A: { Type: 'Choice', Choices: [{ Variable: '$.x', BooleanEquals: true, Next: 'Nope' }, { Variable: '$.x', IsNull: true, Next: 'B' }], Default: 'Gone' },
          B: { ...task, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Missing' }], Next: 'Nowhere' },
        },
      }),
    ).toEqual([
      { path: 'States.A.Choices[0].Next', message: 'names no state: "Nope"' },
      { path: 'States.A.Default', message: 'names no state: "Gone"' },
      { path: 'States.B.Next', message: 'names no state: "Nowhere"' },
      { path: 'States.B.Catch[0].Next', message: 'names no state: "Missing"' },
    ]);
    expect(errorsOf({ startAt: 'A', states: { A: { ...twerkTask, catch: [{ errorEquals: ['all'], next: 'Missing' }], end: true } } })).toEqual([
      { path: 'states.A.catch[0].next', message: 'names no state: "Missing"' },
    ]);
  });

  it('need exactly one of next and end: true on task, pass, wait, parallel and map states', () => {
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'pass' } } })).toEqual([{ path: 'states.A', message: 'needs next or end: true' }]);
    expect(errorsOf({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'A', End: true } } })).toEqual([{ path: 'States.A.Next', message: 'cannot be combined with End: a state either moves on or ends' }]);
    expect(errorsOf({ StartAt: 'A', States: { A: { ...task } } })).toEqual([{ path: 'States.A', message: 'needs Next or End: true' }]);
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'wait', seconds: 1 } } })).toEqual([{ path: 'states.A', message: 'needs next or end: true' }]);
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'pass', end: false } } })).toEqual([{ path: 'states.A.end', message: 'must be true' }]);
  });

  it('have no next or end on succeed and fail states, which end the execution', () => {
    expect(errorsOf({ StartAt: 'A', States: { A: { Type: 'Succeed', Next: 'A' } } })).toEqual([{ path: 'States.A.Next', message: 'a Succeed state ends the execution: it takes no Next or End' }]);
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'fail', end: true } } })).toEqual([{ path: 'states.A.end', message: 'a fail state ends the execution: it takes no next or end' }]);
  });

  it('have no next or end on choice states, which move on through their rules', () => {
    expect(errorsOf({ StartAt: 'A', States: { A: { Type: 'Choice', Choices: [{ Variable: '$.x', IsNull: true, Next: 'B' }], End: true }, B: { Type: 'Succeed' } } })).toEqual([
      { path: 'States.A.End', message: 'a Choice state moves on through its Choices and Default: it takes no Next or End' },
    ]);
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'choice', choices: [{ condition: 'x', next: 'B' }], next: 'B' }, B: { type: 'succeed' } } })).toEqual([
      { path: 'states.A.next', message: 'a choice state moves on through its choices and default: it takes no next or end' },
    ]);
  });
});

describe('reachability', () => {
  it('reports every state that cannot be reached from startAt', () => {
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'succeed' }, B: { type: 'pass', next: 'C' }, C: { type: 'succeed' } } })).toEqual([
      { path: 'states.B', message: 'is unreachable from startAt "A"' },
      { path: 'states.C', message: 'is unreachable from startAt "A"' },
    ]);
  });

  it('follows catchers: a state reached only by a catcher is reachable', () => {
    expect(parseMachine({ StartAt: 'A', States: { A: { ...task, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recover' }], End: true }, Recover: { Type: 'Succeed' } } }).ok).toBe(true);
  });

  it('reports a machine none of whose reachable states ends it', () => {
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'pass', next: 'B' }, B: { type: 'pass', next: 'A' } } })).toEqual([
      { path: 'states', message: 'no reachable state ends the execution: add a succeed or fail state, or end: true' },
    ]);
  });

  it('allows loops', () => {
    expect(parseMachine({ startAt: 'A', states: { A: { type: 'choice', choices: [{ condition: '$.again', next: 'A' }], default: 'B' }, B: { type: 'succeed' } } }).ok).toBe(true);
    expect(parseMachine({ StartAt: 'A', States: { A: { ...task, Next: 'B' }, B: { Type: 'Choice', Choices: [{ Variable: '$.again', BooleanEquals: true, Next: 'A' }], Default: 'C' }, C: { Type: 'Succeed' } } }).ok).toBe(true);
  });
});

describe('nested scopes', () => {
  it('checks parallel branches and map processors as machines of their own', () => {
    expect(
      errorsOf({
        startAt: 'Fan',
        states: {
          Fan: { type: 'parallel', branches: [{ startAt: 'X', states: { Y: { type: 'succeed' } } }], next: 'Each' },
          Each: { type: 'map', itemsPath: '$.items', itemProcessor: { startAt: 'P', states: { P: { type: 'pass', next: 'Outside' } } }, end: true },
        },
      }),
    ).toEqual([
      { path: 'states.Fan.branches[0].startAt', message: 'names no state: "X" is not one of "Y"' },
      { path: 'states.Each.itemProcessor.states.P.next', message: 'names no state: "Outside"' },
    ]);
  });

  it("cannot jump out of a scope: a branch's next names a state of its own branch", () => {
    expect(errorsOf({ StartAt: 'Fan', States: { Fan: { Type: 'Parallel', Branches: [{ StartAt: 'B', States: { B: { Type: 'Pass', Next: 'Done' } } }], Next: 'Done' }, Done: { Type: 'Succeed' } } })).toEqual([
      { path: 'States.Fan.Branches[0].States.B.Next', message: 'names no state: "Done"' },
    ]);
  });

  it('reports under the name the user wrote for the processor, ItemProcessor or the legacy Iterator', () => {
    expect(errorsOf({ StartAt: 'M', States: { M: { Type: 'Map', Iterator: { StartAt: 'P', States: { P: { Type: 'Pass', Next: 'Q' }, Q: { Type: 'Pass', Next: 'P' } } }, End: true } } })).toEqual([
      { path: 'States.M.Iterator.States', message: 'no reachable state ends the execution: add a Succeed or Fail state, or End: true' },
    ]);
  });

  it('has the same rules for a machine built in code', () => {
    const built: Machine = {
      dialect: 'aws',
      startAt: 'Fan',
      states: {
        Fan: { type: 'parallel', branches: [{ dialect: 'aws', startAt: 'X', states: {} }], retry: [], catch: [{ errorEquals: ['States.ALL'], next: 'Nope' }], end: true },
        Lost: { type: 'succeed' },
      },
    };
    expect(validateMachine(built)).toEqual([
      { path: 'States.Fan.Catch[0].Next', message: 'names no state: "Nope"' },
      { path: 'States.Fan.Branches[0].States', message: 'must have at least one state' },
      { path: 'States.Lost', message: 'is unreachable from StartAt "Fan"' },
    ]);
  });
});

describe('retriers and catchers', () => {
  it('need a non-empty errorEquals', () => {
    expect(errorsOf({ StartAt: 'A', States: { A: { ...task, Retry: [{ ErrorEquals: [] }], Catch: [{ ErrorEquals: [], Next: 'A' }], End: true } } })).toEqual([
      { path: 'States.A.Retry[0].ErrorEquals', message: 'must not be empty' },
      { path: 'States.A.Catch[0].ErrorEquals', message: 'must not be empty' },
    ]);
  });

  it('keep States.ALL (Twerk: all) alone in its list and in the last rule', () => {
    expect(errorsOf({ StartAt: 'A', States: { A: { ...task, Retry: [{ ErrorEquals: ['States.ALL', 'X'] }, { ErrorEquals: ['Y'] }], End: true } } })).toEqual([
      { path: 'States.A.Retry[0].ErrorEquals', message: '"States.ALL" matches every error, so it must be the only name in its list' },
      { path: 'States.A.Retry[0].ErrorEquals', message: 'a retrier for "States.ALL" must be the last one: the ones after it could never match' },
    ]);
    expect(errorsOf({ startAt: 'A', states: { A: { ...twerkTask, catch: [{ errorEquals: ['all'], next: 'A' }, { errorEquals: ['timeout'], next: 'A' }], end: true } } })).toEqual([
      { path: 'states.A.catch[0].errorEquals', message: 'a catcher for "all" must be the last one: the ones after it could never match' },
    ]);
  });

  it('refuse invented States. error names', () => {
    expect(errorsOf({ StartAt: 'A', States: { A: { ...task, Catch: [{ ErrorEquals: ['States.TaskFailed', 'States.Oops'], Next: 'A' }], End: true } } })).toEqual([
      { path: 'States.A.Catch[0].ErrorEquals[1]', message: '"States.Oops" is not a predefined error: names starting with "States." are reserved' },
    ]);
  });

  it('bound the AWS numbers: IntervalSeconds ≥ 1, MaxAttempts ≥ 0, BackoffRate ≥ 1', () => {
    expect(errorsOf({ StartAt: 'A', States: { A: { ...task, Retry: [{ ErrorEquals: ['X'], IntervalSeconds: 0, MaxAttempts: -1, BackoffRate: 0.5 }], End: true } } })).toEqual([
      { path: 'States.A.Retry[0].IntervalSeconds', message: 'must be at least 1' },
      { path: 'States.A.Retry[0].MaxAttempts', message: 'must be at least 0' },
      { path: 'States.A.Retry[0].BackoffRate', message: 'must be at least 1' },
    ]);
    expect(parseMachine({ StartAt: 'A', States: { A: { ...task, Retry: [{ ErrorEquals: ['X'], MaxAttempts: 0 }], End: true } } }).ok).toBe(true);
  });

  it("follow Twerk's rules in its dialect: all four fields required, maxAttempts ≥ 1, maxDelaySeconds above intervalSeconds", () => {
    expect(errorsOf({ startAt: 'A', states: { A: { ...twerkTask, retry: [{ errorEquals: ['x'] }], end: true } } })).toEqual([
      { path: 'states.A.retry[0].intervalSeconds', message: 'is required' },
      { path: 'states.A.retry[0].maxAttempts', message: 'is required' },
      { path: 'states.A.retry[0].backoffRate', message: 'is required' },
    ]);
    expect(errorsOf({ startAt: 'A', states: { A: { ...twerkTask, retry: [{ errorEquals: ['x'], intervalSeconds: 5, maxAttempts: 0, backoffRate: 0.5, maxDelaySeconds: 5 }], end: true } } })).toEqual([
      { path: 'states.A.retry[0].maxAttempts', message: 'must be at least 1' },
      { path: 'states.A.retry[0].backoffRate', message: 'must be at least 1' },
      { path: 'states.A.retry[0].maxDelaySeconds', message: 'must be greater than intervalSeconds (5)' },
    ]);
  });

  it('belong to task, parallel and map states only', () => {
    expect(errorsOf({ StartAt: 'A', States: { A: { Type: 'Pass', Retry: [], End: true } } })).toEqual([{ path: 'States.A.Retry', message: 'only Task, Parallel and Map states can retry' }]);
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'wait', seconds: 1, catch: [], end: true } } })).toEqual([{ path: 'states.A.catch', message: 'only task, parallel and map states can catch errors' }]);
  });
});

describe('task states', () => {
  it('need a timeout above zero and a heartbeat below the timeout', () => {
    expect(errorsOf({ StartAt: 'A', States: { A: { ...task, TimeoutSeconds: 0, End: true } } })).toEqual([{ path: 'States.A.TimeoutSeconds', message: 'must be at least 1' }]);
    expect(errorsOf({ StartAt: 'A', States: { A: { ...task, TimeoutSeconds: 10, HeartbeatSeconds: 10, End: true } } })).toEqual([{ path: 'States.A.HeartbeatSeconds', message: 'must be less than TimeoutSeconds (10)' }]);
    expect(errorsOf({ startAt: 'A', states: { A: { ...twerkTask, timeout: 5, heartbeat: 6, end: true } } })).toEqual([{ path: 'states.A.heartbeat', message: 'must be less than timeout (5)' }]);
    expect(errorsOf({ StartAt: 'A', TimeoutSeconds: 0, States: { A: { Type: 'Succeed' } } })).toEqual([{ path: 'TimeoutSeconds', message: 'must be at least 1' }]);
  });

  it('run twerk:task only, refusing any other Resource', () => {
    expect(errorsOf({ StartAt: 'A', States: { A: { ...task, Resource: 'arn:aws:lambda:us-east-1:1:function:f', End: true } } })).toEqual([
      { path: 'States.A.Resource', message: 'must be "twerk:task" (got "arn:aws:lambda:us-east-1:1:function:f"): Twerk runs native tasks only, described in Parameters (image, run, env, var)' },
    ]);
    expect(errorsOf({ StartAt: 'A', States: { A: { Type: 'Task', Parameters: { image: 'a', run: 'b' }, End: true } } })).toEqual([{ path: 'States.A.Resource', message: 'is required' }]);
  });

  it('take the native task in Parameters in AWS ASL, and say so when it is written on the state', () => {
    expect(errorsOf({ StartAt: 'A', States: { A: { ...task, image: 'alpine', End: true } } })).toEqual([
      { path: 'States.A.image', message: 'belongs in Parameters: a twerk:task state describes its native task (image, run, env, var) there' },
    ]);
    expect(errorsOf({ StartAt: 'A', States: { A: { ...task, Parameters: { image: 'alpine', run: 'true', cmd: ['x'] }, End: true } } })).toEqual([
      { path: 'States.A.Parameters.cmd', message: 'is not a known field' },
    ]);
    expect(errorsOf({ StartAt: 'A', States: { A: { Type: 'Task', Resource: 'twerk:task', End: true } } })).toEqual([{ path: 'States.A.Parameters', message: 'is required' }]);
  });
});

describe('wait states', () => {
  it('need exactly one of their four fields', () => {
    expect(errorsOf({ StartAt: 'A', States: { A: { Type: 'Wait', End: true } } })).toEqual([{ path: 'States.A', message: 'needs one of Seconds, Timestamp, SecondsPath, TimestampPath' }]);
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'wait', seconds: 1, timestamp_path: '$.t', end: true } } })).toEqual([{ path: 'states.A', message: 'takes only one of seconds, timestamp_path' }]);
  });

  it('need an RFC 3339 timestamp', () => {
    expect(errorsOf({ startAt: 'W', states: { W: { type: 'wait', timestamp: '2026-13-01', end: true } } })).toEqual([{ path: 'states.W.timestamp', message: 'must be an RFC 3339 timestamp, e.g. "2026-01-31T12:00:00Z"' }]);
    expect(parseMachine({ StartAt: 'W', States: { W: { Type: 'Wait', Timestamp: '2026-01-31T12:00:00.5+02:00', End: true } } }).ok).toBe(true);
  });
});

describe('choice rules (AWS)', () => {
  it('need Next at the top level only, one comparison each, and Variable with a comparison', () => {
    expect(
      errorsOf({
        StartAt: 'C',
        States: {
          C: {
            Type: 'Choice',
            Choices: [
              { Variable: '$.x', StringEquals: 'a' },
              { Not: { Variable: '$.y', IsNull: true, Next: 'D' }, Next: 'D' },
              { StringEquals: 'a', Next: 'D' },
              { Variable: '$.x', StringEquals: 'a', NumericEquals: 1, Next: 'D' },
              { Variable: '$.t', TimestampEquals: 'yesterday', Next: 'D' },
            ],
          },
          D: { Type: 'Succeed' },
        },
      }),
    ).toEqual([
      { path: 'States.C.Choices[2].Variable', message: 'is required with StringEquals' },
      { path: 'States.C.Choices[3]', message: 'a choice rule needs exactly one comparison (e.g. StringEquals), And, Or, Not or Condition' },
      { path: 'States.C.Choices[4].TimestampEquals', message: 'must be an RFC 3339 timestamp, e.g. "2026-01-31T12:00:00Z"' },
      { path: 'States.C.Choices[0].Next', message: 'is required: a top-level choice rule says which state comes next' },
      { path: 'States.C.Choices[1].Not.Next', message: 'only top-level choice rules take Next' },
    ]);
  });

  it('need at least one rule', () => {
    expect(errorsOf({ StartAt: 'C', States: { C: { Type: 'Choice', Choices: [], Default: 'D' }, D: { Type: 'Succeed' } } })).toEqual([{ path: 'States.C.Choices', message: 'must not be empty' }]);
  });
});

describe('fail and map states (AWS)', () => {
  it('take Error or ErrorPath, Cause or CausePath, not both', () => {
    expect(errorsOf({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E', ErrorPath: '$.e', Cause: 'c', CausePath: '$.c' } } })).toEqual([
      { path: 'States.F.ErrorPath', message: 'cannot be combined with Error' },
      { path: 'States.F.CausePath', message: 'cannot be combined with Cause' },
    ]);
  });

  it('need one processor, ItemProcessor or its legacy name Iterator', () => {
    const processor = { StartAt: 'P', States: { P: { Type: 'Succeed' } } };
    expect(errorsOf({ StartAt: 'M', States: { M: { Type: 'Map', End: true } } })).toEqual([{ path: 'States.M.ItemProcessor', message: 'is required (or its legacy name Iterator)' }]);
    expect(errorsOf({ StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: processor, Iterator: processor, End: true } } })).toEqual([
      { path: 'States.M.Iterator', message: 'cannot be combined with ItemProcessor (Iterator is its legacy name)' },
    ]);
    expect(errorsOf({ StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: processor, ItemSelector: {}, Parameters: {}, End: true } } })).toEqual([
      { path: 'States.M.Parameters', message: 'cannot be combined with ItemSelector (Parameters is its legacy name on a Map state)' },
    ]);
  });

  it('refuse what Twerk cannot run: distributed maps, JSONata', () => {
    expect(errorsOf({ StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'P', States: { P: { Type: 'Succeed' } } }, End: true } } })).toEqual([
      { path: 'States.M.ItemProcessor.ProcessorConfig.Mode', message: 'must be one of "INLINE" (got "DISTRIBUTED")' },
    ]);
    expect(errorsOf({ StartAt: 'A', QueryLanguage: 'JSONata', States: { A: { Type: 'Succeed' } } })).toEqual([{ path: 'QueryLanguage', message: 'must be one of "JSONPath" (got "JSONata")' }]);
  });
});

describe('state types', () => {
  it("refuse Twerk's switch state, pointing to choice", () => {
    expect(errorsOf({ startAt: 'S', states: { S: { type: 'switch', cases: [], default: 'S' } } })).toEqual([{ path: 'states.S.type', message: 'switch states are not supported: use a choice state with conditions' }]);
  });

  it("explain a type written in the other dialect's case", () => {
    expect(errorsOf({ startAt: 'A', states: { A: { type: 'Task', image: 'a', run: 'b', end: true } } })).toEqual([{ path: 'states.A.type', message: 'must be "task": state types are lowercase in Twerk\'s dialect' }]);
    expect(errorsOf({ StartAt: 'A', States: { A: { Type: 'succeed' } } })).toEqual([{ path: 'States.A.Type', message: 'must be "Succeed": state types are capitalized in AWS ASL' }]);
    expect(errorsOf({ startAt: 'A', states: { A: { Type: 'Succeed' } } })).toEqual([{ path: 'states.A.type', message: 'is required (found "Type": this document is in Twerk\'s dialect, whose keys are camelCase)' }]);
  });

  it('list the types when one is missing or unknown', () => {
    const list = '"task", "pass", "choice", "wait", "succeed", "fail", "parallel", "map"';
    expect(errorsOf({ startAt: 'A', states: { A: { end: true } } })).toEqual([{ path: 'states.A.type', message: `is required: one of ${list}` }]);
    expect(errorsOf({ startAt: 'A', states: { A: { type: 7 } } })).toEqual([{ path: 'states.A.type', message: `must be one of ${list} (got 7)` }]);
  });
});

describe('unknown keys', () => {
  it("are errors named in the user's spelling, with a suggestion", () => {
    expect(errorsOf({ StartAt: 'Build', States: { Build: { ...task, Retry: [{ ErrorEquals: ['X'], MaxAttempt: 2 }], End: true } } })).toEqual([
      { path: 'States.Build.Retry[0].MaxAttempt', message: 'is not a known field (did you mean "MaxAttempts"?)' },
    ]);
    expect(errorsOf({ startAt: 'build', states: { build: { ...twerkTask, retry: [{ errorEqual: ['x'], ...retrier }], end: true } } })).toEqual([
      { path: 'states.build.retry[0].errorEquals', message: 'is required' },
      { path: 'states.build.retry[0].errorEqual', message: 'is not a known field (did you mean "errorEquals"?)' },
    ]);
    expect(errorsOf({ startAt: 'A', comments: 'x', states: { A: { type: 'succeed' } } })).toEqual([{ path: 'comments', message: 'is not a known field (did you mean "comment"?)' }]);
  });

  it('are found inside nested machines too', () => {
    expect(errorsOf({ startAt: 'Fan', states: { Fan: { type: 'parallel', branches: [{ startAt: 'A', states: { A: { type: 'succeed', colour: 'red' } } }], end: true } } })).toEqual([
      { path: 'states.Fan.branches[0].states.A.colour', message: 'is not a known field' },
    ]);
  });
});

describe('every problem at once', () => {
  it('reports schema and cross-state problems together, invalid states still taking part', () => {
    expect(
      errorsOf({
        StartAt: 'A',
        States: { A: { ...task, Retyr: [], Next: 'B' }, B: { Type: 'Pass', Next: 'Nowhere' }, C: { Type: 'Succeed' }, D: { Type: 'Wait', End: true } },
      }),
    ).toEqual([
      { path: 'States.A.Retyr', message: 'is not a known field (did you mean "Retry"?)' },
      { path: 'States.D', message: 'needs one of Seconds, Timestamp, SecondsPath, TimestampPath' },
      { path: 'States.B.Next', message: 'names no state: "Nowhere"' },
      { path: 'States.C', message: 'is unreachable from StartAt "A"' },
      { path: 'States.D', message: 'is unreachable from StartAt "A"' },
    ]);
  });

  it('sums them up in the message', () => {
    const result = parseMachine({ startAt: 'A', states: { A: { type: 'pass' }, B: { type: 'succeed' } } });
    expect(result.ok ? undefined : result.error.message).toBe('states.A: needs next or end: true (and 1 more)');
  });

  it('refuses a state name used twice in an AWS machine, branches included, and allows it in the Twerk dialect', () => {
    const aws = parseMachine({
      StartAt: 'Fan',
      States: { Fan: { Type: 'Parallel', Branches: [{ StartAt: 'Step', States: { Step: { Type: 'Pass', End: true } } }, { StartAt: 'Step', States: { Step: { Type: 'Pass', End: true } } }], Next: 'Step' }, Step: { Type: 'Succeed' } },
    });
    expect(aws.ok ? [] : aws.error.errors).toEqual([
      { path: 'States.Fan.Branches[1].States.Step', message: 'uses the state name "Step" again (first at States.Fan.Branches[0].States.Step): state names must be unique in the whole machine' },
      { path: 'States.Step', message: 'uses the state name "Step" again (first at States.Fan.Branches[0].States.Step): state names must be unique in the whole machine' },
    ]);
    const branch = { startAt: 'Step', states: { Step: { type: 'pass', end: true } } };
    expect(parseMachine({ startAt: 'Fan', states: { Fan: { type: 'parallel', branches: [branch, branch], end: true } } }).ok).toBe(true);
  });
});
