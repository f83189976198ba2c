/**
 * Inputs (Twerk docs, "Examples → Using Inputs"): two inputs reach a loop through env (inputs are strings:
 * `count: 5` arrives as "5").
 * Run it against a running server: `node examples/sdk/docs/twerk-docs-inputs.ts` (TWERK_ENDPOINT picks the server).
 */
import { inputs, job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const inputExample = job({
  name: 'input example',
  inputs: { message: 'hello world', count: 5 },
  tasks: [
    task({
      name: 'use inputs',
      image: 'alpine:latest',
      env: { MESSAGE: inputs('message'), COUNT: inputs('count') },
      run: `for i in $(seq 1 $COUNT); do
  echo "$MESSAGE"
done
`,
    }),
  ],
});

export default inputExample;
await run(import.meta.url, inputExample);
