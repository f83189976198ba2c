/**
 * The simple job (Twerk docs, "Examples → Simple Job"): one task that says hello.
 * Run it against a running server: `node examples/sdk/docs/twerk-docs-simple-job.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const helloWorld = job({ name: 'hello world', tasks: [task({ name: 'say hello', image: 'ubuntu:mantic', run: 'echo hello world' })] });

export default helloWorld;
await run(import.meta.url, helloWorld);
