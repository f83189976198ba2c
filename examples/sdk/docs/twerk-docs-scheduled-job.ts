/**
 * A scheduled job (Twerk docs, "Examples → Scheduled Job"): a database backup every night at 2:00.
 * Run it: `node examples/sdk/docs/twerk-docs-scheduled-job.ts` (TWERK_ENDPOINT picks the server); it builds and
 * validates the scheduled job and shows its cron, as this server does not serve /scheduled-jobs yet.
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
