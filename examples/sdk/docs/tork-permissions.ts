/**
 * Job `permissions` (Tork README, "Jobs → Permissions"): who may see the job, by role and by user.
 * Run it against a running server: `node examples/sdk/docs/tork-permissions.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const restricted = job({
  name: 'my job',
  permissions: [{ role: 'some-role' }, { user: 'someuser' }],
  tasks: [task({ name: 'my task', image: 'alpine:latest', run: 'echo hello world' })],
});

export default restricted;
await run(import.meta.url, restricted);
