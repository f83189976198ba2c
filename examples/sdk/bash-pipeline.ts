/**
 * A five-step pipeline: later scripts read earlier outputs through `{{ tasks.x }}`, step 4 fans out in parallel,
 * and the job's output is the last step's.
 * Run it against a running server: `node examples/sdk/bash-pipeline.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, parallel, task, tasks } from '@twerk/sdk';
import { run } from './run.ts';

const image = 'ubuntu:mantic';

const step1 = task({
  var: 'step1_output',
  name: 'step 1 - hello world',
  image,
  run: `echo "Step 1: Hello from bash!"
echo -n "hello-world" > $TWERK_OUTPUT
`,
});

const step2 = task({
  name: 'step 2 - uppercase',
  image,
  run: `echo "Step 2: Converting to uppercase..."
echo "${tasks('step1_output')}" | tr '[:lower:]' '[:upper:]' > $TWERK_OUTPUT
`,
});

const step3 = task({
  var: 'math_result',
  name: 'step 3 - calculate',
  image,
  run: `echo "Step 3: Doing math..."
RESULT=$((42 + 137))
echo "42 + 137 = $RESULT"
echo -n "$RESULT" > $TWERK_OUTPUT
`,
});

const greeting = (variable: string, name: string, letter: string) =>
  task({
    var: variable,
    name,
    image,
    run: `echo "Hello from task ${letter}!"
echo -n "Task${letter}" > $TWERK_OUTPUT
`,
  });

const step4 = parallel('step 4 - parallel greetings', [
  greeting('greeting1', 'parallel hello', 'A'),
  greeting('greeting2', 'parallel world', 'B'),
  greeting('greeting3', 'parallel rust', 'C'),
]);

// step 2 stores no `var`, so `tasks.step2_output` is not set when step 5 runs (kept as the example has it).
const step5 = task({
  var: 'final_result',
  name: 'step 5 - final output',
  image,
  run: `echo "Step 5: Aggregating results..."
echo "Original: ${tasks('step1_output')}"
echo "Uppercased: ${tasks('step2_output')}"
echo "Math result: ${tasks('math_result')}"
echo "Parallel results: ${tasks('greeting1')}, ${tasks('greeting2')}, ${tasks('greeting3')}"
FINAL="Final: done at $(date)"
echo "$FINAL" > $TWERK_OUTPUT
`,
});

const bashPipeline = job({
  name: 'bash-pipeline-demo',
  description: 'A 5-step bash pipeline demonstrating orchestration features',
  output: tasks('final_result'),
  tasks: [step1, step2, step3, step4, step5],
});

export default bashPipeline;
await run(import.meta.url, bashPipeline);
