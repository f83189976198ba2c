/**
 * The corpus end to end: every machine of the differential corpus without Task states (their stubs
 * cannot run on a worker) is executed by a real server — `POST /machines?input=`, the execution a job,
 * its waits real timers — and must end as the in-memory interpreter ends it, which the differential test
 * holds to aws-local-stepfunctions. So every state type, operator, intrinsic and error path the corpus
 * covers is also exercised through the API, the coordinator's replays and the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { loadCorpus, type CorpusCase } from './corpus.ts';
import { asJson } from './outcome.ts';
import { runTwerk } from './twerk.ts';
import { TaskStub } from './stubs.ts';

/** What the server cannot reproduce exactly: its own clock, ids and randomness, and long waits. */
function runsOnServer(entry: CorpusCase): boolean {
  const text = JSON.stringify(entry.machine);
  if (text.includes('"Task"') || /StartTime|EnteredTime|States\.UUID|States\.MathRandom|\$\$\.Execution\.(Id|Name)/.test(text)) return false;
  const longWait = /"Seconds":\s*([0-9]+)/g;
  for (const match of text.matchAll(longWait)) if (Number(match[1]) > 1) return false;
  return !/"Timestamp":/.test(text);
}

const cases = loadCorpus().filter(runsOnServer);
const runs = cases.flatMap((entry) => entry.runs.map((run, index) => ({ name: `${entry.name} #${index}`, entry, input: run.input })));

let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess({ TWERK_WORKER_QUEUES: 'default:2' });
}, 60_000);
afterAll(async () => server?.stop());

async function execute(machine: unknown, input: unknown): Promise<{ state: string; result?: string; error?: string }> {
  const response = await fetch(`${server.base}/machines?input=${encodeURIComponent(JSON.stringify(input))}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(machine) });
  const summary = (await response.json()) as { id?: string; message?: string };
  if (response.status !== 200 || summary.id === undefined) throw new Error(`POST /machines answered ${response.status}: ${summary.message}`);
  const started = Date.now();
  for (;;) {
    const job = (await (await fetch(`${server.base}/jobs/${summary.id}`)).json()) as { state: string; result?: string; error?: string };
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.state)) return job;
    if (Date.now() - started > 30_000) throw new Error(`the execution is still ${job.state}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the differential corpus, executed by the server', () => {
  it('covers most of the corpus', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
  });

  it.concurrent.each(runs)('$name ends as the interpreter ends it', async ({ entry, input }) => {
    const expected = await runTwerk(entry.machine, input, new TaskStub(entry.stubs ?? {}), 'server-run');
    const job = await execute(entry.machine, input);
    if (expected.status === 'SUCCEEDED') {
      expect({ state: job.state, error: job.error }).toEqual({ state: 'COMPLETED', error: undefined });
      expect(JSON.parse(job.result ?? 'null')).toEqual(asJson(expected.output) ?? null);
    } else if (expected.status === 'FAILED') {
      expect(job.state).toBe('FAILED');
      expect(job.error === expected.error || job.error?.startsWith(`${expected.error}: `)).toBe(true);
    } else {
      throw new Error(`the interpreter did not run it: ${expected.reason}`);
    }
  }, 60_000);
});
