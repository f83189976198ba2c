/**
 * The Tork README's simple example: the first task stores its output under `var` (it writes $TORK_OUTPUT, Tork's name).
 * Run it against a running server: `node examples/sdk/docs/tork-simple-job.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const helloJob = job({
  name: 'hello job',
  tasks: [
    task({ name: 'say hello', var: 'task1', image: 'ubuntu:mantic', run: 'echo -n hello world > $TORK_OUTPUT\n' }),
    task({ name: 'say goodbye', image: 'ubuntu:mantic', run: 'echo -n bye world\n' }),
  ],
});

export default helloJob;
await run(import.meta.url, helloJob);
