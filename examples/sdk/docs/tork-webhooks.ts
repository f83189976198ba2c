/**
 * Job `webhooks` (Tork README, "Jobs → Webhooks"): a POST with a custom header on each state change, when the job completed.
 * Run it against a running server: `node examples/sdk/docs/tork-webhooks.ts` (TWERK_ENDPOINT picks the server).
 */
import { expr, job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const withWebhook = job({
  name: 'my job',
  webhooks: [
    {
      url: 'http://example.com/my/webhook',
      event: 'job.StateChange', // or task.StateChange
      headers: { 'my-header': 'somevalue' },
      if: expr("job.State == 'COMPLETED'"),
    },
  ],
  tasks: [task({ name: 'my task', image: 'alpine:latest', run: 'echo hello world' })],
});

export default withWebhook;
await run(import.meta.url, withWebhook);
