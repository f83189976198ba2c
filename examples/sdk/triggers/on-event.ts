/**
 * An event trigger: a rule on the server that starts a job whenever an event of its name is published
 * (POST /events) and its condition holds. The event's payload reaches the job: its fields become the
 * job's inputs, and the trigger's `inputs` templates render more from it. An idempotency key makes a
 * retried publish start nothing new. It prints the job and the trigger's firings as JSON lines, deletes
 * the trigger, and exits 1 when something went wrong.
 *
 *   node examples/sdk/triggers/on-event.ts     (TWERK_ENDPOINT picks the server, default http://localhost:8000)
 */
import { createClient, inputs, job, task, tasks, trigger } from '@twerk/sdk';

const releaseNotes = job({
  name: 'release notes',
  output: tasks('note'),
  tasks: [
    task({
      name: 'write the note',
      var: 'note',
      image: 'alpine:3.20',
      env: { VERSION: inputs('version'), CHANNEL: inputs('channel') },
      run: 'echo -n "released $VERSION to $CHANNEL" > $TWERK_OUTPUT',
    }),
  ],
});

// Only stable releases start the job; `version` is rendered from the payload (the payload's own fields, here
// `version` and `channel`, are inputs already: the rendered one wins).
const onRelease = trigger.onEvent('notes on release', 'release', releaseNotes, {
  condition: "payload.channel == 'stable'",
  inputs: { version: 'v{{ payload.version }}' },
});

const client = createClient({ baseUrl: process.env['TWERK_ENDPOINT'] ?? 'http://localhost:8000' });
const created = await client.triggers.create(onRelease);
try {
  // A beta release does not meet the condition: the trigger is skipped, and says why.
  const beta = await client.triggers.publish('release', { version: '1.3.0-rc.1', channel: 'beta' });
  const skipped = beta.skipped?.find((skip) => skip.triggerId === created.id);
  if (skipped === undefined) throw new Error(`the beta release was not skipped: ${JSON.stringify(beta)}`);

  // A stable release starts the job. Publishing it again with the same key (a retry) answers the same job.
  const stable = { version: '1.2.3', channel: 'stable' };
  const first = await client.triggers.publish('release', stable, { idempotencyKey: 'release-1.2.3' });
  const retried = await client.triggers.publish('release', stable, { idempotencyKey: 'release-1.2.3' });
  const started = first.jobs.find((fired) => fired.triggerId === created.id);
  const again = retried.jobs.find((fired) => fired.triggerId === created.id);
  if (started === undefined || again?.jobId !== started.jobId || again.duplicate !== true) {
    throw new Error(`expected one job for the stable release: ${JSON.stringify({ first, retried })}`);
  }

  const finished = await client.jobs.wait(started.jobId, { timeout: 60_000 });
  console.log(JSON.stringify({ trigger: created.id, job: finished.id, state: finished.state, result: finished.result ?? null }));

  // Every firing is recorded, newest first: the job it started, or why it started none.
  const firings = await client.triggers.firings(created.id);
  console.log(JSON.stringify({ firings: firings.items.map(({ source, jobId, reason, idempotencyKey }) => ({ source, jobId, reason, idempotencyKey })) }));
  if (finished.state !== 'COMPLETED') process.exitCode = 1;
} finally {
  await client.triggers.delete(created.id);
  client.close();
}
