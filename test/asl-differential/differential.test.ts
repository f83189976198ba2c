/**
 * Differential test (issue 8): every corpus machine and input runs through Twerk's interpreter and
 * through aws-local-stepfunctions, an independent ASL interpreter, and the two must agree — SUCCEEDED
 * with the same output, or FAILED with the same error name — and must have called their (identical)
 * task stubs with the same inputs. See README.md for the corpus, what is left out and why.
 */
import { describe, expect, it } from 'vitest';
import { loadCorpus, type CorpusCase } from './corpus.ts';
import { asJson, type Outcome } from './outcome.ts';
import { prepareReference, type ReferenceMachine } from './reference.ts';
import { TaskStub } from './stubs.ts';
import { runTwerk } from './twerk.ts';

const EXECUTION_NAME = 'differential-run';
const corpus = loadCorpus();

/**
 * What must agree. Causes are compared only when the reference's cause is text the corpus wrote (a
 * Fail state's Cause/CausePath, a stub's cause): then Twerk must report exactly it. A cause the
 * interpreter composed itself (for States.Runtime, States.NoChoiceMatched, …) is its own wording, not
 * ASL's, so only the error name is compared. Outputs are compared as JSON.
 */
function comparable(outcome: Outcome, reference: Outcome): unknown {
  if (outcome.status === 'SUCCEEDED') return { status: outcome.status, output: asJson(outcome.output) };
  if (outcome.status !== 'FAILED') return outcome;
  const compareCause = reference.status === 'FAILED' && reference.causeAuthored === true;
  return compareCause ? { status: outcome.status, error: outcome.error, cause: outcome.cause } : { status: outcome.status, error: outcome.error };
}

const prepared = new Map<string, ReferenceMachine>();
function reference(entry: CorpusCase): ReferenceMachine {
  let machine = prepared.get(entry.name);
  if (machine === undefined) {
    machine = prepareReference(entry.machine);
    prepared.set(entry.name, machine);
  }
  return machine;
}

const runs = corpus.flatMap((entry) => entry.runs.map((run, index) => ({ label: `${entry.name} #${index} ${JSON.stringify(run.input).slice(0, 60)}`, entry, run })));

describe('ASL differential: Twerk against aws-local-stepfunctions', () => {
  it('has a corpus of at least 60 machines, each covering something', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    for (const entry of corpus) expect(entry.covers.length, entry.name).toBeGreaterThan(0);
  });

  it.each(runs)('$label', async ({ entry, run }) => {
    const script = run.stubs ?? entry.stubs;
    const referenceStub = new TaskStub(script);
    const twerkStub = new TaskStub(script);
    const expected = await reference(entry).run(run.input, referenceStub, EXECUTION_NAME);
    expect(expected.status, `the reference cannot run ${entry.name}: ${'reason' in expected ? expected.reason : ''}`).toMatch(/^(SUCCEEDED|FAILED)$/);
    const actual = await runTwerk(entry.machine, run.input, twerkStub, EXECUTION_NAME);
    const context = `${entry.name} on ${JSON.stringify(run.input)}\n  reference: ${JSON.stringify(expected)}\n  twerk:     ${JSON.stringify(actual)}`;
    expect(comparable(actual, expected), context).toEqual(comparable(expected, expected));
    expect(twerkStub.calls(), `task calls of ${context}`).toEqual(referenceStub.calls());
  });
});
