/**
 * Iteration: `each` runs one task per item of `sequence(1, 3)`, the loop variable named `num`; the item reaches
 * the script through env, as `{{num_value}}` and `{{num_index}}`.
 * Run it against a running server: `node examples/sdk/bash-each.ts` (TWERK_ENDPOINT picks the server).
 */
import { each, expr, job, task } from '@twerk/sdk';
import { run } from './run.ts';

const processNumber = task({
  name: 'process {{num_value}}',
  image: 'ubuntu:mantic',
  env: { NUM: '{{num_value}}', IDX: '{{num_index}}' },
  run: 'echo "Processing item #$IDX = $NUM"',
});

const bashEach = job({
  name: 'bash-each-demo',
  description: 'Demonstrates each/iteration with bash',
  tasks: [each('iterate numbers', { list: expr('sequence(1, 3)'), var: 'num', task: processNumber })],
});

export default bashEach;
await run(import.meta.url, bashEach);
