/**
 * Every job field at once (Twerk docs, "Jobs → Complete Job Reference"); it has a `schedule`, so it is a scheduled job.
 * Run it: `node examples/sdk/docs/twerk-docs-job-reference.ts` (TWERK_ENDPOINT picks the server); it creates the
 * scheduled job, prints its id, cron, state and next run, and deletes it again (TWERK_KEEP_SCHEDULE=1 keeps it).
 */
import { expr, scheduledJob, task } from '@twerk/sdk';
import { run } from '../run.ts';

const everyField = scheduledJob({
  // Identification
  name: 'my job',
  description: 'Optional description',
  tags: ['tag1', 'tag2'],

  // Inputs and secrets (secrets are redacted wherever the job is shown)
  inputs: { key: 'value' },
  secrets: { api_key: 'secret123' },

  // Applied to every task
  defaults: {
    retry: { limit: 3 },
    limits: { cpus: '1', memory: '512m' },
    timeout: '10m',
    queue: 'default',
    priority: 5, // 0-9, lower values run first
  },

  tasks: [task({ name: 'first task', image: 'alpine:latest', run: 'echo hello' })],

  schedule: { cron: '0 2 * * *' },

  // Notifications
  webhooks: [{ url: 'https://example.com/hook', event: 'job.StateChange', if: expr("job.state == 'COMPLETED'") }],

  // Access control
  permissions: [{ role: 'admin' }, { user: 'someuser' }],

  // Deleted a day after it ends
  autoDelete: { after: '24h' },
});

export default everyField;
await run(import.meta.url, everyField);
