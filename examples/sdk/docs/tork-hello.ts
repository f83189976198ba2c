/**
 * The Tork README's Quick Start hello world: two tasks whose scripts are block scalars (each ends in a newline).
 * Run it against a running server: `node examples/sdk/docs/tork-hello.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const helloJob = job({
  name: 'hello job',
  tasks: [
    task({ name: 'say hello', image: 'ubuntu:mantic', run: 'echo -n hello world\n' }),
    task({ name: 'say goodbye', image: 'alpine:latest', run: 'echo -n bye world\n' }),
  ],
});

export default helloJob;
await run(import.meta.url, helloJob);
