/**
 * Retries: a coin flip that fails on tails, retried up to twice, so the job ends heads or fails after three tails.
 * Run it against a running server: `node examples/sdk/retry.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from './run.ts';

const coinFlip = task({
  name: 'a task that simulates a coin flip and fails unless the result is heads',
  image: 'ubuntu:mantic',
  entrypoint: ['bash', '-c'],
  run: `COINFLIP=$((( RANDOM % 2 )) && echo "heads" || echo "tails")
echo -n "$COINFLIP"
echo -n "$COINFLIP" > $TWERK_OUTPUT
if [ "$COINFLIP" = "heads" ]; then
    exit 0
else
    exit 1
fi
`,
  retry: { limit: 2 },
});

const retryJob = job({ name: 'sample retry job', tasks: [coinFlip] });

export default retryJob;
await run(import.meta.url, retryJob);
