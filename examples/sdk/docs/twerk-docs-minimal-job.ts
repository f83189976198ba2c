/**
 * The minimal job (Twerk docs, "Jobs → Minimal Example"): a name and one task.
 * Run it against a running server: `node examples/sdk/docs/twerk-docs-minimal-job.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const minimal = job({ name: 'my job', tasks: [task({ name: 'hello', image: 'alpine:latest', run: 'echo hello' })] });

export default minimal;
await run(import.meta.url, minimal);
