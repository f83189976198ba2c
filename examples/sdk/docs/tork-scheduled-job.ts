/**
 * A scheduled job (Tork README, "Jobs → Scheduled jobs"): the job runs every 5 minutes.
 * Run it: `node examples/sdk/docs/tork-scheduled-job.ts` (TWERK_ENDPOINT picks the server); it creates the
 * scheduled job, prints its id, cron, state and next run, and deletes it again (TWERK_KEEP_SCHEDULE=1 keeps it).
 */
import { scheduledJob, task } from '@twerk/sdk';
import { run } from '../run.ts';

const everyFiveMinutes = scheduledJob({
  name: 'scheduled job test',
  schedule: { cron: '0/5 * * * *' },
  tasks: [task({ name: 'my first task', image: 'alpine:3.18.3', run: 'echo -n hello world' })],
});

export default everyFiveMinutes;
await run(import.meta.url, everyFiveMinutes);
