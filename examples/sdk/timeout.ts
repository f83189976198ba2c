/**
 * A task timeout: the task sleeps 10 s but may run for 5 s, so the job fails ("task timed out after 5s").
 * Run it against a running server: `node examples/sdk/timeout.ts` (TWERK_ENDPOINT picks the server); it exits 1.
 */
import { job, task } from '@twerk/sdk';
import { run } from './run.ts';

const longRunning = task({ name: 'a task that simulates a long running process that timeout', image: 'ubuntu:mantic', run: 'sleep 10', timeout: '5s' });

const timeoutJob = job({ name: 'sample timeout job', tasks: [longRunning] });

export default timeoutJob;
await run(import.meta.url, timeoutJob);
