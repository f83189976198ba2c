/**
 * The hello job of the Tork README's "Architecture" section: two tasks in sequence.
 * Run it against a running server: `node examples/sdk/docs/tork-architecture-hello.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const helloJob = job({
  name: 'hello job',
  tasks: [
    task({ name: 'say hello', image: 'ubuntu:mantic', run: 'echo -n hello world' }),
    task({ name: 'say goodbye', image: 'ubuntu:mantic', run: 'echo -n bye world' }),
  ],
});

export default helloJob;
await run(import.meta.url, helloJob);
