/**
 * Job `defaults` (Tork README, "Jobs → Defaults"): retry, limits, timeout, queue and priority for every task. Its task
 * goes to the `highcpu` queue, so the server needs a worker on it (e.g. TWERK_WORKER_QUEUES=default:1,highcpu:1).
 * Run it against a running server: `node examples/sdk/docs/tork-defaults.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const withDefaults = job({
  name: 'my job',
  defaults: {
    retry: { limit: 2 },
    limits: { cpus: 1, memory: '500m' },
    timeout: '10m',
    queue: 'highcpu',
    priority: 3,
  },
  tasks: [task({ name: 'my task', image: 'alpine:latest', run: 'echo hello world' })],
});

export default withDefaults;
await run(import.meta.url, withDefaults);
