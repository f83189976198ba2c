/**
 * The one task stub both interpreters call. A script gives, per state name, the answers to that
 * state's calls in order; the last answer repeats. Calls are counted per state name across the whole
 * execution (retries, Map iterations and Parallel branches included), which is what lets a script say
 * "fail the first two calls, then succeed". Each side gets a fresh stub per run.
 */
export type StubAnswer =
  | { readonly output: unknown }
  | { readonly error: string; readonly cause?: string }
  /** Answers with the task's input, to show what the interpreter gave the task. */
  | { readonly echo: true };

export type StubScript = Readonly<Record<string, readonly StubAnswer[]>>;

export type StubResult = { readonly ok: true; readonly output: unknown } | { readonly ok: false; readonly error: string; readonly cause?: string };

export class TaskStub {
  private readonly script: StubScript;
  private readonly log = new Map<string, unknown[]>();

  constructor(script: StubScript = {}) {
    this.script = script;
  }

  call(stateName: string, input: unknown): StubResult {
    const calls = this.log.get(stateName) ?? [];
    this.log.set(stateName, calls);
    calls.push(structuredClone(input));
    const answers = this.script[stateName];
    const answer = answers?.[Math.min(calls.length, answers.length) - 1];
    if (answer === undefined) return { ok: false, error: 'Stub.Missing', cause: `the corpus has no stub for the task state ${JSON.stringify(stateName)}` };
    if ('echo' in answer) return { ok: true, output: structuredClone(input) };
    if ('output' in answer) return { ok: true, output: structuredClone(answer.output) };
    return answer.cause === undefined ? { ok: false, error: answer.error } : { ok: false, error: answer.error, cause: answer.cause };
  }

  /** The inputs each task state was called with, sorted so concurrent calls compare equal whatever their order. */
  calls(): Record<string, string[]> {
    return Object.fromEntries([...this.log].sort(([a], [b]) => a.localeCompare(b)).map(([name, inputs]) => [name, inputs.map((input) => JSON.stringify(input)).sort()]));
  }
}
