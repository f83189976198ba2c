/**
 * The acceptance test of durable webhooks: a real `twerk server start standalone` process on a real
 * PostgreSQL database calls a receiver that fails twice (500) before it succeeds, and is stopped
 * after the first failed attempt and started again. The delivery resumes from the outbox: the
 * receiver sees the same X-Twerk-Delivery on every attempt and exactly one success.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../sdk/src/client/testing.ts';
import { until } from '../cli/testing.ts';
import { createPostgresTestDatabase, type TestDatabase } from '../db/testing.ts';
import { deliveriesOfJob } from './store.ts';
import { startReceiver, type Receiver } from './testing.ts';

describe('a webhook delivery across a server restart', () => {
  let database: TestDatabase;
  let receiver: Receiver;
  const servers: TestServer[] = [];

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    receiver = await startReceiver();
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) await server.stop();
    await receiver?.close();
    await database?.dispose();
  });

  async function startServer(): Promise<TestServer> {
    const server = await startTestServer({
      TWERK_DATASTORE_TYPE: 'postgres',
      TWERK_DATASTORE_POSTGRES_DSN: database.url!,
      // The first retry waits 1.5–3 s, the time to stop the server; the second at most 3 s.
      TWERK_WEBHOOKS_BACKOFF_INITIAL: '3s',
      TWERK_WEBHOOKS_BACKOFF_MAX: '3s',
    });
    servers.push(server);
    return server;
  }

  it('is resumed by the restarted server and succeeds once, with one delivery id throughout', async () => {
    receiver.respond('/hook', (index) => (index < 2 ? 500 : 200));
    const first = await startServer();
    const response = await fetch(`${first.baseUrl}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'text/yaml' },
      body: `name: restart me\ntasks:\n  - { name: quick, run: "true" }\nwebhooks:\n  - { url: "${receiver.url}/hook", event: job.Completed }\n`,
    });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };

    await until('the first attempt', async () => (receiver.requests('/hook').length >= 1 ? true : undefined), 30_000, 20);
    await first.stop();
    const stoppedAt = Date.now();
    expect(receiver.requests('/hook')).toHaveLength(1);

    await startServer();
    const calls = await until('three attempts', async () => (receiver.requests('/hook').length >= 3 ? receiver.requests('/hook') : undefined), 40_000, 50);
    const delivery = await until('the delivery to be recorded', async () => {
      const [found] = await deliveriesOfJob(database.db, id);
      return found?.state === 'DELIVERED' ? found : undefined;
    }, 10_000, 50);

    expect(calls.map((call) => call.answered)).toEqual([500, 500, 200]);
    expect(calls[1]!.at).toBeGreaterThan(stoppedAt);
    expect(new Set(calls.map((call) => call.headers['x-twerk-delivery']))).toEqual(new Set([delivery.id]));
    expect(calls.map((call) => [call.headers['x-twerk-event'], call.json.id, call.json.state])).toEqual(Array(3).fill(['job.Completed', id, 'COMPLETED']));
    expect(delivery).toMatchObject({ state: 'DELIVERED', attempts: 3, lastStatus: 200 });
    // Nothing more comes: the success was the last call.
    expect(receiver.requests('/hook')).toHaveLength(3);
  }, 120_000);
});
