/**
 * Retry on failure (Twerk docs, "Examples → Retry on Failure"): a task retried up to 3 times.
 * Run it against a running server: `node examples/sdk/docs/twerk-docs-retry.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const withRetry = job({
  name: 'with retry',
  tasks: [task({ name: 'may fail', retry: { limit: 3 }, image: 'alpine:latest', run: './might-fail.sh' })],
});

export default withRetry;
await run(import.meta.url, withRetry);
