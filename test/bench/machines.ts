/**
 * State machine benchmark (`npm run bench`), each figure against a baseline measured in the same run:
 * - the interpreter on a 1,000-state chain of Pass and Choice states, in state transitions per second,
 *   against aws-local-stepfunctions (an independent interpreter) running the same chain;
 * - a Map of 1,000 items over `true` tasks through `twerk server start standalone` (shell runtime, 8
 *   slots), against a native `each` of 1,000 `true` tasks on the same server: the cost of executing a
 *   machine durably (a replay per event, the waits and results in the database) over a plain job.
 */
import { parseMachine, runMachine } from '@twerk/contract';
import { StateMachine } from 'aws-local-stepfunctions';
import { median } from './measure.ts';
import { startServerProcess } from '../support/server-process.ts';

const CHAIN = 1_000;
const ITEMS = 1_000;

/** Pass states that count, each followed by a Choice that sends it on: CHAIN states in all. */
function chain(): Record<string, unknown> {
  const states: Record<string, unknown> = {};
  for (let index = 0; index < CHAIN; index += 2) {
    const next = index + 2 < CHAIN ? `S${index + 2}` : 'Done';
    states[`S${index}`] = { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: `S${index + 1}` };
    states[`S${index + 1}`] = { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThanEquals: 0, Next: next }], Default: 'Done' };
  }
  states['Done'] = { Type: 'Succeed' };
  return { StartAt: 'S0', States: states };
}

const definition = chain();
const parsed = parseMachine(definition);
if (!parsed.ok) throw new Error(parsed.error.message);
const twerkMs = await median(5, async () => {
  const outcome = await runMachine(parsed.value, { n: 0 });
  if (outcome.status !== 'SUCCEEDED') throw new Error(JSON.stringify(outcome));
});
const reference = new StateMachine(definition as never, { validationOptions: { checkArn: false, checkPaths: false } });
const referenceMs = await median(5, async () => {
  await reference.run({ n: 0 }).result;
});
const transitions = CHAIN + 1;

const server = await startServerProcess({ TWERK_WORKER_QUEUES: 'default:8' });
const items = JSON.stringify(Array.from({ length: ITEMS }, (_, index) => index));
const mapMachine = JSON.stringify({
  StartAt: 'Seed',
  States: {
    Seed: { Type: 'Pass', Result: JSON.parse(items) as unknown, Next: 'Each' },
    Each: { Type: 'Map', ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'alpine', run: 'true' }, End: true } } }, ResultPath: null, End: true },
  },
});
const eachJob = `name: each\ntasks:\n  - name: fan out\n    each:\n      list: "{{ sequence(0, ${ITEMS}) }}"\n      task:\n        name: t\n        run: "true"\n`;
const submitJson = async (body: string) => {
  const response = await fetch(`${server.base}/jobs?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const job = (await response.json()) as { state: string; error?: string };
  if (job.state !== 'COMPLETED') throw new Error(`the execution ended ${job.state}: ${job.error}`);
};
const mapMs = await median(3, () => submitJson(mapMachine));
const eachMs = await median(3, async () => {
  const job = await server.submit(eachJob);
  if (job.state !== 'COMPLETED') throw new Error(`the job ended ${job.state}: ${job.error}`);
});
const memory = server.memory();
await server.stop();

console.log(`\n| state machine measurement (median) | value |\n|---|---|`);
console.log(`| ${CHAIN}-state Pass/Choice chain, Twerk's interpreter | ${((transitions / twerkMs) * 1000).toFixed(0)} transitions/s (${twerkMs.toFixed(1)} ms) |`);
console.log(`| the same chain, aws-local-stepfunctions (baseline) | ${((transitions / referenceMs) * 1000).toFixed(0)} transitions/s (${referenceMs.toFixed(1)} ms); Twerk ${(referenceMs / twerkMs).toFixed(2)}× as fast |`);
console.log(`| Map of ${ITEMS} items over true tasks, through the server (8 slots) | ${((ITEMS / mapMs) * 1000).toFixed(0)} tasks/s (${(mapMs / 1000).toFixed(2)} s) |`);
console.log(`| native each of ${ITEMS} true tasks, same server (baseline) | ${((ITEMS / eachMs) * 1000).toFixed(0)} tasks/s (${(eachMs / 1000).toFixed(2)} s); the Map at ${((eachMs / mapMs) * 100).toFixed(0)}% of it |`);
console.log(`| peak RSS of the server process | ${memory.server.toFixed(0)} MiB |`);
