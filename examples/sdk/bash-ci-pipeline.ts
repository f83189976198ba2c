/**
 * A CI pipeline: checkout, a parallel build stage and a parallel test stage, deploy and health checks; tasks store
 * their outputs under `var`.
 * Run it against a running server: `node examples/sdk/bash-ci-pipeline.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, parallel, task } from '@twerk/sdk';
import { run } from './run.ts';

const image = 'ubuntu:mantic';

const checkout = task({
  var: 'checkout',
  name: 'checkout code',
  image,
  run: `echo "Checking out code..."
echo "commit: abc123"
echo -n "CHECKOUT_OK" > $TWERK_OUTPUT
`,
});

const build = parallel('parallel build', [
  task({
    var: 'deps_result',
    name: 'install dependencies',
    image,
    run: `echo "Installing npm packages..."
sleep 0.3
echo -n "DEPS_OK" > $TWERK_OUTPUT
`,
  }),
  task({
    var: 'lint_result',
    name: 'lint code',
    image,
    run: `echo "Running linter..."
sleep 0.2
echo "✓ No lint errors"
echo -n "LINT_OK" > $TWERK_OUTPUT
`,
  }),
  task({
    var: 'typecheck_result',
    name: 'type check',
    image,
    run: `echo "Running type checker..."
sleep 0.2
echo "✓ Types OK"
echo -n "TYPES_OK" > $TWERK_OUTPUT
`,
  }),
]);

const tests = parallel('parallel tests', [
  task({
    name: 'unit tests',
    image,
    run: `echo "Running unit tests..."
sleep 0.5
echo "✓ 42 unit tests passed"
`,
  }),
  task({
    name: 'integration tests',
    image,
    run: `echo "Running integration tests..."
sleep 0.8
echo "✓ 12 integration tests passed"
`,
  }),
]);

const deploy = task({
  var: 'deploy_result',
  name: 'deploy to production',
  image,
  entrypoint: ['bash', '-c'],
  run: `echo "Deploying to production..."
sleep 1
echo "✓ Deploy successful!"
echo -n "DEPLOYED_v1.0" > $TWERK_OUTPUT
`,
});

const healthCheck = task({
  name: 'health check',
  image,
  run: `echo "Running health checks..."
sleep 0.3
echo "✓ Service healthy"
echo "✓ Database connected"
echo ""
echo "CI Pipeline Complete!"
`,
});

const bashCiPipeline = job({
  name: 'bash-ci-pipeline',
  description: 'Realistic CI-style pipeline with build, test, deploy stages',
  tasks: [checkout, build, tests, deploy, healthCheck],
});

export default bashCiPipeline;
await run(import.meta.url, bashCiPipeline);
