/**
 * Parallel tasks (Twerk docs, "Examples → Parallel Tasks"): three tasks at once, one of them sleeping 2 s.
 * Run it against a running server: `node examples/sdk/docs/twerk-docs-parallel.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, parallel, task } from '@twerk/sdk';
import { run } from '../run.ts';

const image = 'alpine:latest';

const parallelWork = job({
  name: 'parallel work',
  tasks: [
    parallel('parallel parent', [
      task({ name: 'task a', image, run: 'echo "A done"' }),
      task({ name: 'task b', image, run: 'sleep 2 && echo "B done"' }),
      task({ name: 'task c', image, run: 'echo "C done"' }),
    ]),
  ],
});

export default parallelWork;
await run(import.meta.url, parallelWork);
