/**
 * `autoDelete` (Tork README, "Jobs → Auto Delete"): the job is deleted 6 hours after it ends.
 * Run it against a running server: `node examples/sdk/docs/tork-auto-delete.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const autoDeleted = job({
  name: 'my job',
  autoDelete: { after: '6h' },
  tasks: [task({ name: 'my task', image: 'alpine:latest', run: 'echo hello world' })],
});

export default autoDeleted;
await run(import.meta.url, autoDeleted);
