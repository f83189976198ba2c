/**
 * A webhook trigger: the server starts a job when a signed request arrives at POST /hooks/{path}, as a
 * sender like GitHub delivers it. The sender and the trigger share a secret; the sender signs the exact
 * bytes of the body with HMAC-SHA256 and sends `X-Twerk-Signature: sha256=<hex>` (or the secret itself as
 * `Authorization: Bearer <secret>`, when it cannot sign). The JSON body is the payload: its fields become
 * the job's inputs. It prints the job as a JSON line, deletes the trigger, and exits 1 when something
 * went wrong.
 *
 *   node examples/sdk/triggers/signed-webhook.ts     (TWERK_ENDPOINT picks the server, default http://localhost:8000)
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createClient, inputs, job, task, tasks, trigger, type Fired } from '@twerk/sdk';

const endpoint = process.env['TWERK_ENDPOINT'] ?? 'http://localhost:8000';
// The server never shows a trigger's secret again: the sender must be given it when the trigger is made.
const secret = randomBytes(24).toString('hex');
// One trigger per hook path: a path of its own, so that runs never collide.
const hookPath = `example-push-${randomBytes(4).toString('hex')}`;

const deploy = job({
  name: 'deploy on push',
  output: tasks('deployed'),
  tasks: [
    task({
      name: 'deploy',
      var: 'deployed',
      image: 'alpine:3.20',
      env: { REF: inputs('ref'), COMMIT: inputs('after') },
      run: 'echo -n "deployed $COMMIT from $REF" > $TWERK_OUTPUT',
    }),
  ],
});

const sign = (body: string, key: string) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

async function deliver(body: string, signature: string): Promise<Response> {
  return fetch(`${endpoint}/hooks/${hookPath}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-twerk-signature': signature }, body });
}

const client = createClient({ baseUrl: endpoint });
const created = await client.triggers.create(trigger.onWebhook('deploy on push', hookPath, deploy, { secret }));
try {
  const body = JSON.stringify({ ref: 'refs/heads/main', after: '9fceb02' });

  // Signed with another secret: refused with 401, and nothing starts.
  const forged = await deliver(body, sign(body, 'not-the-shared-secret'));
  if (forged.status !== 401) throw new Error(`a forged delivery answered ${forged.status}, not 401`);

  const delivered = await deliver(body, sign(body, secret));
  if (!delivered.ok) throw new Error(`POST /hooks/${hookPath} answered ${delivered.status}: ${await delivered.text()}`);
  const fired = (await delivered.json()) as Fired;
  const started = fired.jobs.find((one) => one.triggerId === created.id);
  if (started === undefined) throw new Error(`the delivery started no job: ${JSON.stringify(fired)}`);

  const finished = await client.jobs.wait(started.jobId, { timeout: 60_000 });
  console.log(JSON.stringify({ trigger: created.id, job: finished.id, state: finished.state, result: finished.result ?? null }));
  if (finished.state !== 'COMPLETED') process.exitCode = 1;
} finally {
  await client.triggers.delete(created.id);
  client.close();
}
