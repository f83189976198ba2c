/**
 * Conditional execution (Twerk docs, "Examples → Conditional Execution"): a task runs only when its `if` holds.
 * Run it against a running server: `node examples/sdk/docs/twerk-docs-conditional.ts` (TWERK_ENDPOINT picks the server).
 */
import { expr, job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const conditional = job({
  name: 'conditional workflow',
  inputs: { environment: 'production' },
  tasks: [task({ name: 'deploy', if: expr("job.state == 'SCHEDULED'"), image: 'alpine:latest', run: 'echo "Deploying..."' })],
});

export default conditional;
await run(import.meta.url, conditional);
