/**
 * Resource limits (Twerk docs, "Examples → Resource Limits"): half a CPU and 256 MiB for one task.
 * Run it against a running server: `node examples/sdk/docs/twerk-docs-limits.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const limited = job({
  name: 'limited task',
  tasks: [task({ name: 'constrained', limits: { cpus: '0.5', memory: '256m' }, image: 'alpine:latest', run: 'echo hello' })],
});

export default limited;
await run(import.meta.url, limited);
