/**
 * A CI-style demo: checkout, two test tasks in parallel, then deploy and a health check.
 * Run it against a running server: `node examples/sdk/bash-ci-demo.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, parallel, task } from '@twerk/sdk';
import { run } from './run.ts';

const image = 'ubuntu:mantic';

const bashCiDemo = job({
  name: 'bash-ci-demo',
  description: 'Simple CI-style demo',
  tasks: [
    task({ name: 'checkout', image, run: 'echo "Checking out code..."' }),
    parallel('parallel tests', [
      task({ name: 'unit tests', image, run: 'echo "Running unit tests..."' }),
      task({ name: 'lint', image, run: 'echo "Running linter..."' }),
    ]),
    task({ name: 'deploy', image, run: 'echo "Deploying..."' }),
    task({ name: 'health check', image, run: 'echo "Health check passed!"' }),
  ],
});

export default bashCiDemo;
await run(import.meta.url, bashCiDemo);
