/**
 * The smallest job: one task with no image, for the shell runtime.
 * Run it against a running server: `node examples/sdk/hello-shell.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from './run.ts';

const helloShell = job({ name: 'hello shell', tasks: [task({ name: 'say hello', run: 'echo "hello from twerk"\n' })] });

export default helloShell;
await run(import.meta.url, helloShell);
