/**
 * A Twerk worker in Node on @twerk/sdk: it serves the queues named by WORKER_LABELS (default
 * "default") on the server at SERVER_URL, running up to WORKER_CONCURRENCY tasks at once with sh -c.
 *   SERVER_URL=http://localhost:8000 WORKER_LABELS=node node examples/workers/node-worker.ts
 */
import { createWorker } from '@twerk/sdk';

const worker = createWorker({
  serverUrl: process.env['SERVER_URL'] ?? 'http://localhost:8000',
  labels: (process.env['WORKER_LABELS'] ?? 'default').split(',').filter(Boolean),
  concurrency: Number(process.env['WORKER_CONCURRENCY'] ?? 2),
  ...(process.env['WORKER_TOKEN'] ? { token: process.env['WORKER_TOKEN'] } : {}),
  onError: (error) => console.error(`[${new Date().toISOString()}] ${error instanceof Error ? error.message : String(error)}`),
});
console.log(`worker ${worker.workerId} started`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log('stopping: finishing the tasks in hand');
    void worker.stop().then(() => process.exit(0));
  });
}
await worker.done;
