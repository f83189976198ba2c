/**
 * `parallel`: six tasks (three short sleeps, three echoes) run at once between a first and a last task.
 * Run it against a running server: `node examples/sdk/parallel.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, parallel, task } from '@twerk/sdk';
import { run } from './run.ts';

const image = 'ubuntu:mantic';

const parallelJob = job({
  name: 'sample parallel job',
  tasks: [
    task({ name: 'hello task', image, run: 'echo start of job' }),
    parallel('a parallel task', [
      task({ name: 'sleep for .1 seconds', image, run: 'sleep 0.1' }),
      task({ name: 'sleep for .5 second', image, run: 'sleep 0.5' }),
      task({ name: 'sleep for .15 seconds', image, run: 'sleep 0.15' }),
      ...[1, 2, 3].map((n) => task({ name: `fast task ${n}`, image, run: 'echo fast' })),
    ]),
    task({ name: 'bye task', image, run: 'echo end of job' }),
  ],
});

export default parallelJob;
await run(import.meta.url, parallelJob);
