/**
 * Triggers and schedules benchmark (`npm run bench`), against `twerk server start standalone` as its own
 * process (embedded PGlite, shell runtime):
 *
 * - firing: 300 `POST /events` to one trigger, one at a time, against 300 `POST /jobs` of the same job
 *   in the same run (the baseline: what starting a job costs anyway). The ratio is what an event adds —
 *   the trigger lookup and lock, the condition, the inputs and the firing record.
 * - idempotent retries: 300 repeats of one idempotency key (they start nothing), against the same baseline.
 * - scheduling precision: a per-second schedule for 10 ticks; how late each tick's job was created after
 *   the tick (median and worst), against one second, the schedule's period.
 */
import { startServerProcess } from '../support/server-process.ts';
import { median } from './measure.ts';

const REQUESTS = 300;
const server = await startServerProcess({ TWERK_WORKER_QUEUES: 'default:4' });
const job = { name: 'bench', tasks: [{ name: 'noop', run: 'true' }] };

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

async function rate(run: (index: number) => Promise<unknown>): Promise<number> {
  const elapsed = await median(3, async () => {
    for (let index = 0; index < REQUESTS; index += 1) await run(index);
  });
  return (REQUESTS / elapsed) * 1000;
}

await post('/triggers', { id: 'bench', name: 'bench', enabled: true, event: 'bench', condition: "payload.n >= 0", inputs: { n: '{{ payload.n }}' }, job });
const submits = await rate(() => post('/jobs', job));
let round = 0;
const events = await rate((index) => post('/events', { name: 'bench', payload: { n: index } }, { 'idempotency-key': `k-${round++}-${index}` }));
const repeats = await rate(() => post('/events', { name: 'bench', payload: { n: 1 } }, { 'idempotency-key': 'the-same' }));

const scheduled = await post('/scheduled-jobs', { name: 'ticks', cron: '* * * * * *', tasks: job.tasks });
const lateness: number[] = [];
const seen = new Set<string>();
const started = Date.now();
while (lateness.length < 10 && Date.now() - started < 30_000) {
  const page = (await (await fetch(`${server.base}/jobs?size=20&q=ticks`)).json()) as { items: { id: string; createdAt: string; schedule?: { id: string } }[] };
  for (const item of page.items) {
    if (item.schedule?.id !== scheduled['id'] || seen.has(item.id)) continue;
    seen.add(item.id);
    const created = new Date(item.createdAt).getTime();
    // The tick is the whole second the job was created for: the second at or just before createdAt.
    lateness.push(created - Math.floor(created / 1000) * 1000);
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
await fetch(`${server.base}/scheduled-jobs/${scheduled['id'] as string}`, { method: 'DELETE' });
await server.stop();

const sorted = [...lateness].sort((a, b) => a - b);
console.log('\n| triggers and schedules (standalone server process, embedded PGlite) | value |\n|---|---|');
console.log(`| POST /jobs, one at a time (baseline) | ${submits.toFixed(0)} jobs/s |`);
console.log(`| POST /events firing one trigger (condition, rendered inputs, idempotency key) | ${events.toFixed(0)} jobs/s (${(events / submits).toFixed(2)}× the baseline) |`);
console.log(`| POST /events repeating one idempotency key (starts nothing) | ${repeats.toFixed(0)} answers/s (${(repeats / submits).toFixed(2)}× the baseline) |`);
console.log(`| per-second schedule, ${sorted.length} ticks: job created after its tick, median / worst | ${sorted[Math.floor(sorted.length / 2)]} ms / ${sorted.at(-1)} ms (${((sorted.at(-1) ?? 0) / 1000).toFixed(3)}× the period) |`);
