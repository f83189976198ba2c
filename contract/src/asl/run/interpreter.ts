/**
 * The ASL interpreter: runs a validated `Machine` (either dialect) with Step Functions' semantics in
 * JSONPath mode — the data flow of every state (InputPath → Parameters → work → ResultSelector →
 * ResultPath → OutputPath, and Assign), Retry and Catch, Parallel branches and Map iterations, Wait,
 * Choice, Succeed and Fail. It is pure apart from what it is given: Task states run through
 * `runTask`, time comes from `now`, and waiting (Wait states, retry delays) through `sleep`, which by
 * default only moves a virtual clock forward — so a machine runs in memory as fast as it can, and
 * the same code can drive an execution that really waits.
 */
import { randomUUID } from 'node:crypto';
import type { Catcher, Machine, MachineState, Retrier } from '../model.ts';
import { evaluateCondition, timestampOf } from './choice.ts';
import { readPath, writePath, type PathScope } from './json-path.ts';
import { applyPayload, resolveDynamic } from './payload.ts';
import { errorMatches, StatesError } from './states-error.ts';

export interface TaskRequest {
  /**
   * Names this attempt of this visit of the state, the same on every run of the same execution: its
   * branch or iteration path, the state, how many times the scope entered it, and the retry count
   * (`Fan#1@0[1]/Build#1@0`: attempt 0 of the first visit of Build in branch 1 of the first visit of
   * Fan). An execution that is replayed recognises the tasks it already ran.
   */
  readonly key: string;
  readonly stateName: string;
  readonly image: string;
  readonly run: string;
  readonly env?: Readonly<Record<string, string>>;
  /** The state's effective input (after InputPath). */
  readonly input: unknown;
  readonly timeoutSeconds?: number;
  readonly heartbeatSeconds?: number;
}

export type TaskResult = { readonly ok: true; readonly output: unknown } | { readonly ok: false; readonly error: string; readonly cause?: string };

export interface RunOptions {
  /** How Task states run; without it a Task state fails with States.TaskFailed. */
  runTask?(request: TaskRequest): Promise<TaskResult>;
  /** The clock: $$.State.EnteredTime, Timestamp waits, the machine's TimeoutSeconds. */
  now?(): Date;
  /**
   * Waits and retry delays; the default waits for nothing and moves the default clock forward. `key`
   * names the wait as TaskRequest.key names a task (`…#1:wait`, `…#1@0:retry`).
   */
  sleep?(ms: number, key: string): Promise<void>;
  executionName?: string;
  /** Stops the execution: the outcome is FAILED with States.Aborted... unless it already ended. */
  signal?: AbortSignal;
}

export type ExecutionOutcome = { readonly status: 'SUCCEEDED'; readonly output: unknown } | { readonly status: 'FAILED'; readonly error: string; readonly cause?: string };

/** Most transitions one execution (with its branches and iterations) may take; a loop without end stops here. */
export const MAX_TRANSITIONS = 100_000;

interface Execution {
  readonly options: RunOptions;
  readonly now: () => Date;
  readonly sleep: (ms: number, key: string) => Promise<void>;
  readonly context: { readonly Execution: Record<string, unknown>; readonly StateMachine: Record<string, unknown> };
  readonly deadline: number | undefined;
  transitions: number;
}

interface Frame {
  readonly machine: Machine;
  readonly execution: Execution;
  readonly variables: Map<string, unknown>;
  /** $$.Map.Item while running a Map iteration. */
  readonly mapItem?: { readonly Index: number; readonly Value: unknown };
  /** Set when a sibling branch or iteration failed: this one stops at its next transition. */
  readonly stopped?: () => boolean;
  /** Where this scope is in the execution: '' at the top, `Fan#1@0[1]` for a branch, nested with `/`. */
  readonly path: string;
  /** How many times this scope entered each state, for the keys of tasks and waits. */
  readonly visits: Map<string, number>;
}

function stateKey(frame: Frame, name: string): string {
  return `${frame.path === '' ? '' : `${frame.path}/`}${name}#${frame.visits.get(name) ?? 0}`;
}

/** A branch or an iteration: `key` is its state's key (path, visit and attempt included) and its index. */
function childFrame(frame: Frame, machine: Machine, key: string, extra: { mapItem?: Frame['mapItem']; stopped?: () => boolean } = {}): Frame {
  return { machine, execution: frame.execution, variables: new Map(frame.variables), path: key, visits: new Map(), ...extra };
}

/** How a branch or iteration ends when a sibling's failure stopped it (never reported: the sibling's error is). */
class Stopped extends Error {}

function contextOf(frame: Frame, stateName: string, enteredTime: string, retryCount: number): Record<string, unknown> {
  return {
    ...frame.execution.context,
    State: { Name: stateName, EnteredTime: enteredTime, RetryCount: retryCount },
    ...(frame.mapItem !== undefined ? { Map: { Item: frame.mapItem } } : {}),
  };
}

/** InputPath or OutputPath: `null` gives `{}`, a path that matches nothing is States.Runtime. */
function selectPath(path: string | null | undefined, value: unknown, scope: PathScope, field: string): unknown {
  if (path === undefined) return value;
  if (path === null) return {};
  const read = readPath(path, { ...scope, input: value });
  if (!read.found) throw new StatesError('States.Runtime', `Invalid path '${path}' : No results for path: $['${path.replace(/^\$\.?/, '')}'] (${field})`);
  return read.value;
}

/** ResultPath: `null` keeps the input, absent replaces it, a path merges the result into it. */
function placeResult(resultPath: string | null | undefined, input: unknown, result: unknown): unknown {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === '$') return result;
  const written = writePath(resultPath, input, result);
  if (!written.ok) throw new StatesError('States.ResultPathMatchFailure', written.error);
  return written.value;
}

function assign(frame: Frame, spec: Readonly<Record<string, unknown>> | undefined, scope: PathScope): void {
  if (spec === undefined) return;
  const values: [string, unknown][] = [];
  for (const [key, value] of Object.entries(spec)) {
    if (frame.machine.dialect === 'twerk') values.push([key, resolveDynamic(value, scope, `Assign.${key}`)]);
    else if (key.endsWith('.$')) values.push([key.slice(0, -2), resolveDynamic(value, scope, `Assign.${key}`)]);
    else values.push([key, applyPayload(value, scope, `Assign.${key}`)]);
  }
  // Every value is computed from the variables as they were before the state; then all are set.
  for (const [key, value] of values) frame.variables.set(key, value);
}

function retryDelayMs(retrier: Retrier, attempt: number): number {
  let delay = retrier.intervalSeconds * 1000 * retrier.backoffRate ** attempt;
  if (retrier.maxDelaySeconds !== undefined) delay = Math.min(delay, retrier.maxDelaySeconds * 1000);
  return retrier.jitterStrategy === 'FULL' ? Math.random() * delay : delay;
}

type Work = (effectiveInput: unknown, scope: PathScope, retryCount: number) => Promise<unknown>;

type StateResult = { readonly kind: 'next'; readonly next: string; readonly output: unknown } | { readonly kind: 'end'; readonly output: unknown };

function transition(state: { readonly next?: string; readonly end?: true }, output: unknown): StateResult {
  return state.next !== undefined ? { kind: 'next', next: state.next, output } : { kind: 'end', output };
}

function asStatesError(caught: unknown): StatesError {
  if (caught instanceof StatesError) return caught;
  if (caught instanceof Stopped) return new StatesError('States.BranchFailed', 'stopped because another branch failed');
  return new StatesError('States.Runtime', caught instanceof Error ? caught.message : String(caught));
}

/** A state that does work (Task, Parallel, Map): its data flow around `work`, with Retry and Catch. */
async function runWithRecovery(
  frame: Frame,
  name: string,
  state: Extract<MachineState, { type: 'task' | 'parallel' | 'map' }>,
  rawInput: unknown,
  entered: string,
  work: Work,
): Promise<StateResult> {
  const attempts = new Map<Retrier, number>();
  let retryCount = 0;
  for (;;) {
    const scope: PathScope = { input: rawInput, context: contextOf(frame, name, entered, retryCount), variables: frame.variables };
    try {
      const effective = selectPath(state.inputPath, rawInput, scope, 'InputPath');
      const result = await work(effective, { ...scope, input: effective }, retryCount);
      const selected = state.resultSelector !== undefined ? applyPayload(state.resultSelector, { ...scope, input: result }, 'ResultSelector') : result;
      assign(frame, state.assign, { ...scope, input: selected });
      const placed = placeResult(state.resultPath, rawInput, selected);
      return transition(state, selectPath(state.outputPath, placed, { ...scope, input: placed }, 'OutputPath'));
    } catch (caught) {
      if (caught instanceof Stopped) throw caught;
      const failure = asStatesError(caught);
      const retrier = state.retry.find((candidate) => errorMatches(candidate.errorEquals, failure.error));
      if (retrier !== undefined) {
        const used = attempts.get(retrier) ?? 0;
        if (used < retrier.maxAttempts) {
          attempts.set(retrier, used + 1);
          retryCount += 1;
          await frame.execution.sleep(retryDelayMs(retrier, used), `${stateKey(frame, name)}@${retryCount - 1}:retry`);
          checkDeadline(frame.execution);
          continue;
        }
      }
      const catcher: Catcher | undefined = state.catch.find((candidate) => errorMatches(candidate.errorEquals, failure.error));
      if (catcher === undefined) throw failure;
      const errorOutput = { Error: failure.error, Cause: failure.cause };
      assign(frame, catcher.assign, { ...scope, input: errorOutput });
      return { kind: 'next', next: catcher.next, output: placeResult(catcher.resultPath, rawInput, errorOutput) };
    }
  }
}

function checkDeadline(execution: Execution): void {
  if (execution.deadline !== undefined && execution.now().getTime() > execution.deadline) throw new StatesError('States.Timeout', 'the execution ran past its TimeoutSeconds');
  if (execution.options.signal?.aborted) throw new StatesError('States.Aborted', 'the execution was stopped');
}

async function runTask(frame: Frame, name: string, state: Extract<MachineState, { type: 'task' }>, input: unknown, retryCount: number): Promise<unknown> {
  const runner = frame.execution.options.runTask;
  if (runner === undefined) throw new StatesError('States.TaskFailed', `no task runner: the Task state ${name} cannot run here`);
  const result = await runner({
    key: `${stateKey(frame, name)}@${retryCount}`,
    stateName: name,
    image: state.image,
    run: state.run,
    ...(state.env !== undefined ? { env: state.env } : {}),
    input,
    ...(state.timeoutSeconds !== undefined ? { timeoutSeconds: state.timeoutSeconds } : {}),
    ...(state.heartbeatSeconds !== undefined ? { heartbeatSeconds: state.heartbeatSeconds } : {}),
  });
  if (!result.ok) throw new StatesError(result.error, result.cause ?? '');
  return result.output;
}

async function runParallel(frame: Frame, key: string, state: Extract<MachineState, { type: 'parallel' }>, input: unknown): Promise<unknown> {
  let failed = false;
  const stopped = (): boolean => failed || (frame.stopped?.() ?? false);
  const outcomes = await Promise.all(
    state.branches.map((branch, index) =>
      runScope(childFrame(frame, branch, `${key}[${index}]`, { stopped }), input).then(
        (output) => ({ output }),
        (caught: unknown) => {
          if (!(caught instanceof Stopped) && state.failFast !== false) failed = true;
          return { error: caught };
        },
      ),
    ),
  );
  // Branch order, not finishing order, decides which failure is reported; a stopped branch is never it.
  const failure = outcomes.find((outcome) => 'error' in outcome && !(outcome.error instanceof Stopped));
  if (failure !== undefined && 'error' in failure) throw asStatesError(failure.error);
  if (outcomes.some((outcome) => 'error' in outcome)) throw new Stopped();
  return outcomes.map((outcome) => ('output' in outcome ? outcome.output : undefined));
}

async function runMap(frame: Frame, key: string, state: Extract<MachineState, { type: 'map' }>, input: unknown, scope: PathScope): Promise<unknown> {
  let items: unknown;
  if (state.itemsPath === undefined) items = input;
  else if (frame.machine.dialect === 'twerk' && !state.itemsPath.startsWith('$')) items = resolveDynamic(state.itemsPath, scope, 'itemsPath');
  else {
    const read = readPath(state.itemsPath, scope);
    if (!read.found) throw new StatesError('States.Runtime', `Invalid path '${state.itemsPath}': the ItemsPath matches nothing in the input`);
    items = read.value;
  }
  if (!Array.isArray(items)) throw new StatesError('States.Runtime', `the Map state's items must be an array, not ${items === null ? 'null' : typeof items}`);
  const limit = state.maxConcurrency !== undefined && state.maxConcurrency > 0 ? state.maxConcurrency : items.length;
  const results: unknown[] = new Array(items.length);
  const errors: (StatesError | undefined)[] = new Array(items.length);
  let nextIndex = 0;
  let stop = false;
  const tolerated = state.toleratedFailurePercentage ?? 0;
  const worker = async (): Promise<void> => {
    while (!stop && nextIndex < items.length) {
      const index = nextIndex;
      nextIndex += 1;
      const value = items[index];
      const mapItem = { Index: index, Value: value };
      const iterationInput =
        state.itemSelector !== undefined ? applyPayload(state.itemSelector, { ...scope, context: { ...(scope.context as object), Map: { Item: mapItem } } }, 'ItemSelector') : value;
      try {
        results[index] = await runScope(childFrame(frame, state.itemProcessor, `${key}[${index}]`, { mapItem, stopped: () => stop || (frame.stopped?.() ?? false) }), iterationInput);
      } catch (caught) {
        if (caught instanceof Stopped) continue;
        errors[index] = asStatesError(caught);
        results[index] = { Error: errors[index]!.error, Cause: errors[index]!.cause };
        if (tolerated === 0) stop = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (frame.stopped?.()) throw new Stopped();
  const failures = errors.filter((error) => error !== undefined);
  if (failures.length > 0) {
    if (tolerated === 0) throw failures[0]!;
    if ((failures.length / items.length) * 100 > tolerated) {
      throw new StatesError('States.ExceedToleratedFailureThreshold', `${failures.length} of ${items.length} items failed, more than the tolerated ${tolerated}%`);
    }
  }
  return results;
}

async function waitState(frame: Frame, name: string, state: Extract<MachineState, { type: 'wait' }>, scope: PathScope): Promise<void> {
  let ms: number;
  if (state.seconds !== undefined) ms = state.seconds * 1000;
  else if (state.secondsPath !== undefined) {
    const read = readPath(state.secondsPath, scope);
    if (!read.found || typeof read.value !== 'number' || !Number.isInteger(read.value) || read.value < 0) {
      throw new StatesError('States.Runtime', `the SecondsPath ${state.secondsPath} must give a non-negative integer`);
    }
    ms = read.value * 1000;
  } else {
    const text = state.timestamp ?? (() => {
      const read = readPath(state.timestampPath ?? '$', scope);
      if (!read.found) throw new StatesError('States.Runtime', `the TimestampPath ${state.timestampPath} matches nothing in the input`);
      return read.value;
    })();
    const at = timestampOf(text);
    if (at === undefined) throw new StatesError('States.Runtime', `${JSON.stringify(text)} is not an RFC 3339 timestamp`);
    ms = Math.max(0, at - frame.execution.now().getTime());
  }
  if (ms > 0) await frame.execution.sleep(ms, `${stateKey(frame, name)}:wait`);
}

async function runState(frame: Frame, name: string, state: MachineState, rawInput: unknown): Promise<StateResult> {
  const entered = frame.execution.now().toISOString();
  const scope: PathScope = { input: rawInput, context: contextOf(frame, name, entered, 0), variables: frame.variables };
  switch (state.type) {
    case 'task':
      return runWithRecovery(frame, name, state, rawInput, entered, (input, _inner, retryCount) => runTask(frame, name, state, input, retryCount));
    case 'parallel':
      return runWithRecovery(frame, name, state, rawInput, entered, (input, inner, retryCount) =>
        runParallel(frame, `${stateKey(frame, name)}@${retryCount}`, state, state.parameters !== undefined ? applyPayload(state.parameters, inner, 'Parameters') : input),
      );
    case 'map':
      return runWithRecovery(frame, name, state, rawInput, entered, (input, inner, retryCount) => runMap(frame, `${stateKey(frame, name)}@${retryCount}`, state, input, inner));
    case 'pass': {
      const effective = selectPath(state.inputPath, rawInput, scope, 'InputPath');
      const inner = { ...scope, input: effective };
      const result = state.result !== undefined ? state.result : state.parameters !== undefined ? applyPayload(state.parameters, inner, 'Parameters') : effective;
      assign(frame, state.assign, { ...scope, input: result });
      const placed = placeResult(state.resultPath, rawInput, result);
      return transition(state, selectPath(state.outputPath, placed, { ...scope, input: placed }, 'OutputPath'));
    }
    case 'wait': {
      const effective = selectPath(state.inputPath, rawInput, scope, 'InputPath');
      await waitState(frame, name, state, { ...scope, input: effective });
      assign(frame, state.assign, { ...scope, input: effective });
      return transition(state, selectPath(state.outputPath, effective, { ...scope, input: effective }, 'OutputPath'));
    }
    case 'choice': {
      const effective = selectPath(state.inputPath, rawInput, scope, 'InputPath');
      const inner = { ...scope, input: effective };
      const rule = state.choices.find((candidate) => evaluateCondition(candidate.condition, inner));
      const next = rule?.next ?? state.default;
      if (next === undefined) throw new StatesError('States.NoChoiceMatched', `no choice rule matched and there is no Default in the Choice state ${name}`);
      assign(frame, rule?.assign ?? state.assign, inner);
      return { kind: 'next', next, output: selectPath(state.outputPath, effective, inner, 'OutputPath') };
    }
    case 'succeed': {
      const effective = selectPath(state.inputPath, rawInput, scope, 'InputPath');
      return { kind: 'end', output: selectPath(state.outputPath, effective, { ...scope, input: effective }, 'OutputPath') };
    }
    case 'fail': {
      const dynamic = (path: string | undefined, fallback: string | undefined): string | undefined => {
        if (path === undefined) return fallback;
        const value = resolveDynamic(path, scope, 'Fail');
        return typeof value === 'string' ? value : JSON.stringify(value);
      };
      throw new StatesError(dynamic(state.errorPath, state.error) ?? 'States.Fail', dynamic(state.causePath, state.cause) ?? '');
    }
  }
}

/** Runs one machine (the top level, a branch, or an iteration) from its StartAt to its end. */
async function runScope(frame: Frame, input: unknown): Promise<unknown> {
  let name = frame.machine.startAt;
  let value = input;
  for (;;) {
    if (frame.stopped?.()) throw new Stopped();
    checkDeadline(frame.execution);
    frame.execution.transitions += 1;
    if (frame.execution.transitions > MAX_TRANSITIONS) throw new StatesError('States.Runtime', `the execution took more than ${MAX_TRANSITIONS} transitions`);
    const state = frame.machine.states[name];
    if (state === undefined) throw new StatesError('States.Runtime', `there is no state named ${name}`);
    frame.visits.set(name, (frame.visits.get(name) ?? 0) + 1);
    const result = await runState(frame, name, state, value);
    if (result.kind === 'end') return result.output;
    name = result.next;
    value = result.output;
  }
}

export async function runMachine(machine: Machine, input: unknown, options: RunOptions = {}): Promise<ExecutionOutcome> {
  let virtualMs = 0;
  const started = Date.now();
  const now = options.now ?? (() => new Date(started + virtualMs + 0));
  const sleep =
    options.sleep ??
    ((ms: number) => {
      virtualMs += ms;
      return Promise.resolve();
    });
  const executionName = options.executionName ?? randomUUID();
  const startTime = now();
  const execution: Execution = {
    options,
    now,
    sleep,
    context: {
      Execution: { Id: `arn:twerk:execution:${executionName}`, Name: executionName, Input: input, StartTime: startTime.toISOString(), RoleArn: 'arn:twerk:role:twerk' },
      StateMachine: { Id: 'arn:twerk:stateMachine:machine', Name: 'machine' },
    },
    deadline: machine.timeoutSeconds !== undefined ? startTime.getTime() + machine.timeoutSeconds * 1000 : undefined,
    transitions: 0,
  };
  try {
    const output = await runScope({ machine, execution, variables: new Map(), path: '', visits: new Map() }, input);
    return { status: 'SUCCEEDED', output };
  } catch (caught) {
    const failure = asStatesError(caught);
    return { status: 'FAILED', error: failure.error, ...(failure.cause !== '' ? { cause: failure.cause } : {}) };
  }
}
