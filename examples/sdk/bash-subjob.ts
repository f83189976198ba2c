/**
 * Sub-jobs: a nested job whose output becomes a task's output, then two sub-jobs run in parallel.
 * Run it against a running server: `node examples/sdk/bash-subjob.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, parallel, subjob, task, tasks } from '@twerk/sdk';
import { run } from './run.ts';

const image = 'ubuntu:mantic';

const buildPhase = subjob(
  'nested build job',
  {
    name: 'build phase',
    output: tasks('build_result'),
    tasks: [
      task({
        var: 'build_result',
        name: 'compile step',
        image,
        run: `echo "Compiling code..."
echo "✓ Compiled successfully"
echo -n "BUILD_OK" > $TWERK_OUTPUT
`,
      }),
      task({
        name: 'test step',
        image,
        run: `echo "Running tests..."
echo "✓ All tests passed"
`,
      }),
      task({
        name: 'package step',
        image,
        run: `echo "Packaging..."
echo "✓ Packaged as app.tar.gz"
`,
      }),
    ],
  },
  { var: 'subjob_output' },
);

/** A two-step build as a sub-job: `build frontend` runs the job `frontend build`. */
const twoStepBuild = (part: string, first: string, second: string) =>
  subjob(`build ${part}`, {
    name: `${part} build`,
    tasks: [task({ name: `${part} step 1`, image, run: `echo "${first}"` }), task({ name: `${part} step 2`, image, run: `echo "${second}"` })],
  });

const bashSubjob = job({
  name: 'bash-subjob-demo',
  description: 'Demonstrates nested subjobs with bash',
  output: tasks('subjob_output'),
  tasks: [
    task({ name: 'start', image, run: 'echo "Starting workflow..."' }),
    buildPhase,
    parallel('parallel builds', [twoStepBuild('frontend', 'Building frontend...', 'Frontend ready'), twoStepBuild('backend', 'Building backend...', 'Backend ready')]),
    task({
      name: 'finish',
      image,
      run: `echo "Subjob result: ${tasks('subjob_output')}"
echo "All builds complete!"
`,
    }),
  ],
});

export default bashSubjob;
await run(import.meta.url, bashSubjob);
