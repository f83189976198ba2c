/**
 * The reference side: aws-local-stepfunctions (an independent TypeScript ASL interpreter) running the
 * corpus machine. Two translations make it run what Twerk runs, and nothing else is changed:
 *
 * - A Twerk Task state's `Parameters` (`{ image, run, env }`) describe the native task to run; they are
 *   not ASL input shaping. The reference would evaluate them as a payload template and hand the stub
 *   `{ image, run }` instead of the state's input, so they are removed: its local handler then gets the
 *   state input after InputPath, as Twerk's `runTask` does. (`checkArn: false` lets `twerk:task` through.)
 * - Waits and retry pauses are made instant with the reference's own overrides. Only Wait states with a
 *   static `Seconds`/`Timestamp` are overridden: an override skips evaluating `SecondsPath`/`TimestampPath`
 *   altogether, so those states run for real and the corpus gives them delays of 0 or past instants.
 */
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import type { Outcome } from './outcome.ts';
import type { TaskStub } from './stubs.ts';

const TWERK_TASK = 'twerk:task';
/** What the reference reports as the cause of a Fail state that has none. */
const DEFAULT_FAIL_CAUSE = 'Execution failed because of a Fail state';

class StubError extends Error {
  constructor(name: string, cause: string | undefined) {
    super(cause ?? '');
    this.name = name;
  }
}

type Json = Record<string, unknown>;

interface Collected {
  readonly tasks: Set<string>;
  readonly waits: Set<string>;
  readonly retries: Set<string>;
}

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A copy of the machine with Twerk task Parameters removed, and the names of the states the overrides apply to. */
function translate(machine: Json, collected: Collected): Json {
  const states = isRecord(machine['States']) ? machine['States'] : {};
  const translated: Json = {};
  for (const [name, raw] of Object.entries(states)) {
    if (!isRecord(raw)) {
      translated[name] = raw;
      continue;
    }
    const state: Json = { ...raw };
    if (state['Type'] === 'Task') {
      collected.tasks.add(name);
      if (state['Resource'] === TWERK_TASK) delete state['Parameters'];
    }
    if (state['Type'] === 'Wait' && (state['Seconds'] !== undefined || state['Timestamp'] !== undefined)) collected.waits.add(name);
    if (Array.isArray(state['Retry'])) collected.retries.add(name);
    if (Array.isArray(state['Branches'])) state['Branches'] = state['Branches'].map((branch: unknown) => (isRecord(branch) ? translate(branch, collected) : branch));
    for (const key of ['ItemProcessor', 'Iterator']) {
      const processor = state[key];
      if (isRecord(processor)) state[key] = translate(processor, collected);
    }
    translated[name] = state;
  }
  return { ...machine, States: translated };
}

const instant = (names: Set<string>): Record<string, number> => Object.fromEntries([...names].map((name) => [name, 0]));

export interface ReferenceMachine {
  run(input: unknown, stub: TaskStub, executionName: string): Promise<Outcome>;
}

/** Validates and translates once (validation dominates the reference's cost); every run is an independent execution. */
export function prepareReference(machine: Json): ReferenceMachine {
  const collected: Collected = { tasks: new Set(), waits: new Set(), retries: new Set() };
  const definition = translate(machine, collected);
  let stateMachine: StateMachine;
  try {
    stateMachine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { run: async () => ({ status: 'REJECTED', reason }) };
  }
  const overrides = { waitTimeOverrides: instant(collected.waits), retryIntervalOverrides: instant(collected.retries) };
  return {
    async run(input, stub, executionName) {
      const taskResourceLocalHandlers = Object.fromEntries(
        [...collected.tasks].map((name) => [
          name,
          async (taskInput: unknown) => {
            const result = stub.call(name, taskInput);
            if (result.ok) return result.output as never;
            throw new StubError(result.error, result.cause);
          },
        ]),
      );
      try {
        const output = await stateMachine.run(input as never, { overrides: { ...overrides, taskResourceLocalHandlers }, context: { Execution: { Name: executionName } } }).result;
        return { status: 'SUCCEEDED', output };
      } catch (thrown) {
        return failure(thrown);
      }
    },
  };
}

function failure(thrown: unknown): Outcome {
  if (!(thrown instanceof ExecutionError) || !(thrown.cause instanceof Error)) return { status: 'THREW', reason: thrown instanceof Error ? thrown.message : String(thrown) };
  const error = thrown.cause;
  if (error instanceof StubError) return error.message === '' ? { status: 'FAILED', error: error.name, causeAuthored: true } : { status: 'FAILED', error: error.name, cause: error.message, causeAuthored: true };
  // The reference's Fail-state error class is not exported; its name is stable in the bundle. A Fail
  // state without Cause gets the reference's stock sentence, which is not the corpus's text.
  const fromFailState = error.constructor.name === 'FailStateError' && error.message !== DEFAULT_FAIL_CAUSE;
  return { status: 'FAILED', error: error.name, cause: error.message, causeAuthored: fromFailState };
}
