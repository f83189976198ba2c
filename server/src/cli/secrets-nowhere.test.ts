/**
 * A secret goes nowhere it should not: a real server process with auth on, at debug logging, runs a
 * job that uses a secret in its environment, its output, its log, its error and a webhook header, and a
 * scheduled job and a trigger that carry it. Then every GET route of the contract is read (with real
 * ids), /metrics in both formats, the webhook's payload, and everything the process logged: the secret
 * value appears in none of them (the webhook receiver gets it only in the header it was meant for).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../sdk/src/client/testing.ts';
import { routeMetadata } from '../api/auth.ts';
import { until } from './testing.ts';

const SECRET = 'pa55-w0rd-that-must-never-leak';
const ADMIN = `Basic ${Buffer.from('admin:admin-password-123').toString('base64')}`;
let server: TestServer;
let receiver: Server;
let receiverUrl: string;
let logs = '';
const deliveries: { headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      deliveries.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  server = await startTestServer({
    TWERK_LOGGING_LEVEL: 'debug',
    TWERK_MIDDLEWARE_WEB_BASICAUTH_ENABLED: 'true',
    TWERK_MIDDLEWARE_WEB_KEYAUTH_ENABLED: 'true',
    TWERK_AUTH_ADMIN_PASSWORD: 'admin-password-123',
  });
  server.child.stdout!.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  server.child.stderr!.on('data', (chunk: Buffer) => (logs += chunk.toString()));
}, 90_000);

afterAll(async () => {
  await server?.stop();
  receiver?.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: ADMIN, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, text: await response.text() };
}

describe('a job that uses a secret', () => {
  it('leaves it out of every answer, the metrics, the webhook payload and the logs', async () => {
    const job = {
      name: 'uses a secret',
      secrets: { password: SECRET },
      webhooks: [{ url: receiverUrl, event: 'job.StateChange', headers: { authorization: 'Bearer {{ secrets.password }}' } }],
      output: '{{ tasks.said }}',
      tasks: [
        { name: 'say it', var: 'said', run: 'echo "the secret is $PASSWORD"; printf "out:%s" "$PASSWORD" > "$TWERK_OUTPUT"', env: { PASSWORD: '{{ secrets.password }}' } },
        { name: 'fail with it', run: 'echo "$PASSWORD" >&2; exit 3', env: { PASSWORD: '{{ secrets.password }}' } },
      ],
    };
    const submitted = JSON.parse((await call('POST', '/jobs', job)).text) as { id: string };
    await until('the job to fail', async () => (JSON.parse((await call('GET', `/jobs/${submitted.id}`)).text).state === 'FAILED' ? true : undefined), 30_000);
    const finished = JSON.parse((await call('GET', `/jobs/${submitted.id}`)).text) as { execution: { id: string }[] };
    const scheduled = JSON.parse((await call('POST', '/scheduled-jobs', { ...job, webhooks: undefined, schedule: { cron: '0 0 1 1 *' } })).text) as { id: string };
    await call('POST', '/triggers', { id: 'leaky', name: 'leaky', enabled: true, hookPath: 'leaky', secret: `${SECRET}-hook`, job: { ...job, webhooks: undefined } });
    await call('POST', '/keys', { name: 'mine' });
    await until('the webhook deliveries', async () => (deliveries.some((delivery) => delivery.body.includes('"FAILED"')) ? true : undefined), 30_000);

    const ids: Record<string, string> = {
      id: submitted.id,
      taskId: finished.execution[0]!.id,
      name: 'default',
      worker_id: 'none',
      lease_id: 'none',
      workflow_id: 'none',
      job_id: 'none',
    };
    const answers: string[] = [];
    for (const [key] of routeMetadata()) {
      const [method, pattern] = key.split(' ') as [string, string];
      if (method !== 'GET') continue;
      // Every id-taking GET is read with each real id there is, so the job, its tasks, the scheduled job and the trigger are all shown.
      const candidates = pattern.includes(':id') ? [submitted.id, finished.execution[0]!.id, finished.execution[1]!.id, scheduled.id, 'leaky'] : [''];
      for (const id of candidates) {
        const path = pattern.replace(':id', id).replace(/:([a-z_]+)/gi, (_match, name: string) => ids[name] ?? 'x');
        const answer = await call('GET', path);
        answers.push(`${path} ${answer.status} ${answer.text}`);
      }
    }
    answers.push((await call('GET', '/metrics', undefined, { accept: 'text/plain' })).text);
    answers.push((await call('GET', '/metrics')).text);
    // The answers really hold the job: its redacted output, env and log are there.
    expect(answers.join('\n')).toContain('out:[REDACTED]');
    expect(answers.join('\n')).toContain('the secret is [REDACTED]');

    for (const answer of answers) expect(answer).not.toContain(SECRET);
    expect(deliveries.length).toBeGreaterThan(0);
    for (const delivery of deliveries) {
      expect(delivery.body).not.toContain(SECRET);
      expect(delivery.headers['authorization']).toBe(`Bearer ${SECRET}`);
    }
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(SECRET);
  }, 120_000);
});
