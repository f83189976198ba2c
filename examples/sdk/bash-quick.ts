/**
 * A quick smoke test: one multi-line script printing the time, host and directory.
 * Run it against a running server: `node examples/sdk/bash-quick.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from './run.ts';

const quickEcho = task({
  name: 'quick echo',
  image: 'ubuntu:mantic',
  run: `echo "Quick test!"
echo "Current time: $(date)"
echo "Hostname: $(hostname)"
echo "PWD: $PWD"
`,
});

const bashQuick = job({ name: 'bash-quick-test', description: 'Quick smoke test - runs fast for debugging', tasks: [quickEcho] });

export default bashQuick;
await run(import.meta.url, bashQuick);
