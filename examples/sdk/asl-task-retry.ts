/**
 * A state machine of three `task` states, build → test → deploy, the flaky build retried on TaskFailed.
 * Run it against a running server: `node examples/sdk/asl-task-retry.ts` (TWERK_ENDPOINT picks the server); it prints
 * the execution's id, state and result (the machine's output, as JSON).
 */
import { machine, retrier, state } from '@twerk/sdk';
import { run } from './run.ts';

const image = 'ubuntu:mantic';

// The comment promises a catch, but the example has none.
const aslTaskRetry = machine({
  comment: 'ASL-style task workflow with retry and catch',
  startAt: 'Build',
  states: {
    Build: state.task({
      image,
      run: `echo "Building..."
if [ $RANDOM -lt 16384 ]; then
  echo "Build failed!"
  exit 1
fi
echo "Build succeeded!"
`,
      retry: [retrier(['TaskFailed'], { intervalSeconds: 1, maxAttempts: 3, backoffRate: 2.0 })],
      next: 'Test',
    }),
    Test: state.task({ image, run: 'echo "Running tests..."', next: 'Deploy' }),
    Deploy: state.task({ image, run: 'echo "Deploying..."', end: true }),
  },
});

export default aslTaskRetry;
await run(import.meta.url, aslTaskRetry);
