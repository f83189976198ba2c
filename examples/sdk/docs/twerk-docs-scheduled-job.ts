/**
 * A scheduled job (Twerk docs, "Examples → Scheduled Job"): a database backup every night at 2:00.
 * Run it: `node examples/sdk/docs/twerk-docs-scheduled-job.ts` (TWERK_ENDPOINT picks the server); it creates the
 * scheduled job, prints its id, cron, state and next run, and deletes it again (TWERK_KEEP_SCHEDULE=1 keeps it).
 */
import { scheduledJob, task } from '@twerk/sdk';
import { run } from '../run.ts';

const dailyBackup = scheduledJob({
  name: 'daily backup',
  schedule: { cron: '0 2 * * *' },
  tasks: [task({ name: 'backup', image: 'postgres:15', run: 'pg_dump -a mydb > /backups/dump.sql' })],
});

export default dailyBackup;
await run(import.meta.url, dailyBackup);
