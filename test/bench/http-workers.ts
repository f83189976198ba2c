/**
 * HTTP worker benchmark (`npm run bench`), against `twerk server start standalone` in its own process:
 *   - claim-to-start latency: a long-polling worker (@twerk/sdk createWorker) waits; one-task jobs are
 *     submitted one after another; the latency is from the task's record becoming ready (scheduledAt)
 *     to the worker holding it. Target: median ≤ 10 ms.
 *   - throughput: two workers with a no-op executor take a 1,000-item each off their queue, against a
 *     baseline of the same two clients making the same number of minimal worker calls (two per task:
 *     a claim and a completion cost at least that).
 */
import { createWorker, type Worker } from '@twerk/sdk';
import { startServerProcess } from '../support/server-process.ts';

const ROUNDS = 50;
const ITEMS = Number(process.env['HTTP_ITEMS'] ?? 1000);
const server = await startServerProcess({ TWERK_WORKER_QUEUES: 'default:1' });

async function api(method: string, path: string, body?: string): Promise<any> {
  const response = await fetch(`${server.base}${path}`, { method, ...(body !== undefined ? { body, headers: { 'content-type': 'text/yaml' } } : {}) });
  return response.json();
}

// Latency
const started = new Map<string, number>();
const latencyWorker: Worker = createWorker({
  serverUrl: server.base,
  labels: ['latency'],
  waitSecs: 30,
  execute: async (job) => {
    started.set(job.job_id, Date.now());
    return {};
  },
});
const latencies: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const job = await api('POST', '/jobs?wait=true', `name: latency ${round}\ntasks:\n  - { name: t, queue: latency, run: "true" }\n`);
  if (job.state !== 'COMPLETED') throw new Error(`a latency job ended ${job.state}`);
  const task = job.execution[0];
  latencies.push(started.get(task.id)! - Date.parse(task.scheduledAt));
}
await latencyWorker.stop();
latencies.sort((a, b) => a - b);

// Throughput, and the floor of two clients making two minimal worker calls per task
const throughputWorkers = [0, 1].map((index) => createWorker({ serverUrl: server.base, labels: ['bulk'], workerId: `bulk-${index}`, waitSecs: 5, execute: async () => ({}) }));
const fanOutStarted = performance.now();
const bulk = await api('POST', '/jobs?wait=true', `name: bulk\ntasks:\n  - name: items\n    each:\n      list: "{{ sequence(0, ${ITEMS}) }}"\n      task: { name: item, queue: bulk, run: "true" }\n`);
if (bulk.state !== 'COMPLETED') throw new Error(`the bulk job ended ${bulk.state}: ${bulk.error}`);
const rate = ITEMS / ((performance.now() - fanOutStarted) / 1000);
await Promise.all(throughputWorkers.map((worker) => worker.stop()));

const floorStarted = performance.now();
await Promise.all(
  [0, 1].map(async (index) => {
    for (let call = 0; call < ITEMS; call += 1) {
      const response = await fetch(`${server.base}/api/workers/bulk-${index}/heartbeat`, { method: 'POST' });
      await response.arrayBuffer();
    }
  }),
);
const floor = ITEMS / ((performance.now() - floorStarted) / 1000);
await server.stop();

const at = (share: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * share))]!;
console.log(`\n| HTTP workers (standalone server process, embedded PGlite) | value |\n|---|---|`);
console.log(`| claim-to-start latency, long-polling worker, ${ROUNDS} tasks: median (target ≤ 10 ms) | ${at(0.5).toFixed(1)} ms |`);
console.log(`| claim-to-start latency: 90th percentile / max | ${at(0.9).toFixed(1)} ms / ${latencies.at(-1)!.toFixed(1)} ms |`);
console.log(`| ${ITEMS}-item each through two HTTP workers, no-op tasks | ${rate.toFixed(0)} tasks/s |`);
console.log(`| baseline: the same two clients making two minimal worker calls per task | ${floor.toFixed(0)} tasks/s (engine at ${((rate / floor) * 100).toFixed(0)}% of it) |`);
