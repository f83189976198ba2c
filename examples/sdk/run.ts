/**
 * What every program in this folder does when it is run (and nothing when a test imports it): submit
 * its document to the server named by TWERK_ENDPOINT (default http://localhost:8000), wait for the job,
 * and print one JSON line: the job's id, state, result and error. It exits 1 when the job did not
 * complete, so a shell or a test can tell. A state machine runs the same way (its result is its output, as
 * JSON). A scheduled job is created (POST /scheduled-jobs) and its line is the schedule: id, name,
 * cron, state and next run; it is deleted again right away, so running an example leaves no schedule
 * behind, unless TWERK_KEEP_SCHEDULE=1.
 *
 *   node examples/sdk/hello.ts
 *   TWERK_ENDPOINT=http://localhost:8000 node examples/sdk/docs/tork-scheduled-job.ts
 *   TWERK_KEEP_SCHEDULE=1 node examples/sdk/docs/twerk-docs-scheduled-job.ts
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClient, type BuiltJob, type BuiltMachine, type BuiltScheduledJob } from '@twerk/sdk';

function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
}

/** Runs `document` when the calling module is the program being run; call it as `run(import.meta.url, document)`. */
export async function run(moduleUrl: string, document: BuiltJob | BuiltScheduledJob | BuiltMachine): Promise<void> {
  if (!isMain(moduleUrl)) return;
  const client = createClient({ baseUrl: process.env['TWERK_ENDPOINT'] ?? 'http://localhost:8000' });
  try {
    if ('states' in document) {
      // A state machine runs as a job: its result is the machine's output, as JSON.
      const finished = await client.jobs.submitAndWait(document, { timeout: 10 * 60_000 });
      console.log(JSON.stringify({ id: finished.id, state: finished.state, result: finished.result ?? null, error: finished.error ?? null }));
      if (finished.state !== 'COMPLETED') process.exitCode = 1;
    } else if ('schedule' in document || 'cron' in document) {
      const scheduled = await client.scheduledJobs.create(document);
      try {
        console.log(JSON.stringify({ scheduled: scheduled.id, name: scheduled.name, cron: scheduled.cron, state: scheduled.state, nextRunAt: scheduled.nextRunAt ?? null }));
      } finally {
        if (process.env['TWERK_KEEP_SCHEDULE'] !== '1') await client.scheduledJobs.delete(scheduled.id);
      }
    } else {
      const finished = await client.jobs.submitAndWait(document, { timeout: 10 * 60_000 });
      console.log(JSON.stringify({ id: finished.id, state: finished.state, result: finished.result ?? null, error: finished.error ?? null }));
      if (finished.state !== 'COMPLETED') process.exitCode = 1;
    }
  } finally {
    client.close();
  }
}
