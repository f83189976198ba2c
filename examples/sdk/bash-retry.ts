/**
 * Retries until success: a coin flip retried up to five times, then a task that runs only once it came up heads;
 * the job's output is the flip's output.
 * Run it against a running server: `node examples/sdk/bash-retry.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task, tasks } from '@twerk/sdk';
import { run } from './run.ts';

const flip = task({
  var: 'flip',
  name: 'coin flip with retry',
  image: 'ubuntu:mantic',
  entrypoint: ['bash', '-c'],
  run: `FLIP=$((RANDOM % 2))
if [ $FLIP -eq 0 ]; then
  echo "TAILS - failing!"
  exit 1
else
  echo "HEADS - success!"
  exit 0
fi
`,
  retry: { limit: 5 },
});

const afterSuccess = task({ name: 'after success', image: 'ubuntu:mantic', run: 'echo "Flip succeeded! Continuing..."' });

const bashRetry = job({
  name: 'bash-retry-demo',
  description: 'Demonstrates retry behavior with bash - coin flip until success',
  output: tasks('flip'),
  tasks: [flip, afterSuccess],
});

export default bashRetry;
await run(import.meta.url, bashRetry);
