/**
 * Scheduled jobs end to end, over real HTTP: two coordinators on one PostgreSQL database fire a
 * per-second schedule exactly once per tick; pause, resume and delete stop and start the firings; the
 * jobs a tick starts carry the scheduled job's inputs, secrets, defaults, webhooks and autoDelete; and
 * ticks missed while nothing ran fire once, not in a burst.
 */
import { scheduledJobSchema, scheduledJobSummarySchema } from '@twerk/contract';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.ts';
import { until } from '../cli/testing.ts';
import { openPostgres } from '../db/postgres.ts';
import { createPostgresTestDatabase, type TestDatabase } from '../db/testing.ts';
import type { Database } from '../db/database.ts';
import { startEngine, type Engine } from '../engine/engine.ts';

let test: TestDatabase;
let secondDb: Database;
const engines: Engine[] = [];
const apps: FastifyInstance[] = [];
const bases: string[] = [];

async function coordinator(db: Database): Promise<void> {
  const engine = await startEngine({ db: db as never, url: test.url!, coordinator: true, onError: (error) => console.error('engine background error:', error) });
  const app = await buildApp({ engine, version: 'test' });
  engines.push(engine);
  apps.push(app);
  bases.push(await app.listen({ host: '127.0.0.1', port: 0 }));
}

beforeAll(async () => {
  test = await createPostgresTestDatabase();
  secondDb = openPostgres({ connectionString: test.url! });
  await coordinator(test.db);
  await coordinator(secondDb);
}, 60_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  for (const engine of engines) await engine.stop();
  await secondDb?.close();
  await test?.dispose();
});

async function call(method: string, path: string, body?: unknown, base = bases[0]!) {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  if (body !== undefined) init.headers = { 'content-type': typeof body === 'string' ? 'text/yaml' : 'application/json' };
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, any>) };
}

interface Instance {
  id: string;
  scheduledFor: Date;
}

async function instancesOf(scheduleId: string): Promise<Instance[]> {
  const rows = await test.db.query<Instance>('SELECT id, scheduled_for AS "scheduledFor" FROM twerk.jobs WHERE schedule_id = $1 ORDER BY scheduled_for', [scheduleId]);
  return rows.rows;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a per-second schedule with two coordinators', () => {
  it('starts exactly one job per tick, on consecutive seconds', async () => {
    const created = await call('POST', '/scheduled-jobs', { name: 'every second', cron: '* * * * * *', tasks: [{ name: 'noop', run: 'true' }] });
    expect(created.status).toBe(200);
    expect(scheduledJobSummarySchema.safeParse(created.body).success).toBe(true);
    const id = created.body!['id'] as string;
    const instances = await until('three ticks', async () => {
      const found = await instancesOf(id);
      return found.length >= 3 ? found : undefined;
    }, 15_000);
    await call('PUT', `/scheduled-jobs/${id}/pause`);
    const fired = await instancesOf(id);
    const ticks = fired.map((instance) => instance.scheduledFor.getTime());
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ticks.every((tick) => tick % 1000 === 0)).toBe(true);
    for (let index = 1; index < ticks.length; index += 1) expect(ticks[index]! - ticks[index - 1]!).toBe(1000);
    expect(instances.length).toBeGreaterThanOrEqual(3);
    // Both coordinators were up the whole time: each tick is one job, whichever of them fired it.
    const perTick = await test.db.query<{ count: number }>('SELECT count(*)::int AS count FROM twerk.jobs WHERE schedule_id = $1 GROUP BY scheduled_for HAVING count(*) > 1', [id]);
    expect(perTick.rows).toEqual([]);
  }, 30_000);
});

describe('pause, resume and delete', () => {
  it('stop and start the firings', async () => {
    const created = await call('POST', '/scheduled-jobs', 'name: paused and resumed\nschedule:\n  cron: "* * * * * *"\ntasks:\n  - name: noop\n    run: "true"\n');
    expect(created.status).toBe(200);
    const id = created.body!['id'] as string;
    await until('a first tick', async () => ((await instancesOf(id)).length >= 1 ? true : undefined), 10_000);

    expect((await call('PUT', `/scheduled-jobs/${id}/pause`)).body).toEqual({ status: 'OK' });
    expect((await call('GET', `/scheduled-jobs/${id}`)).body).toMatchObject({ state: 'PAUSED' });
    expect((await call('PUT', `/scheduled-jobs/${id}/pause`)).status).toBe(400);
    const atPause = (await instancesOf(id)).length;
    await sleep(2_500);
    expect((await instancesOf(id)).length).toBe(atPause);

    expect((await call('PUT', `/scheduled-jobs/${id}/resume`, undefined, bases[1])).body).toEqual({ status: 'OK' });
    expect((await call('PUT', `/scheduled-jobs/${id}/resume`)).status).toBe(400);
    await until('a tick after resuming', async () => ((await instancesOf(id)).length >= atPause + 2 ? true : undefined), 10_000);

    expect((await call('DELETE', `/scheduled-jobs/${id}`)).body).toEqual({ status: 'OK' });
    expect((await call('GET', `/scheduled-jobs/${id}`)).status).toBe(404);
    const atDelete = (await instancesOf(id)).length;
    await sleep(2_500);
    expect((await instancesOf(id)).length).toBe(atDelete);
    expect((await call('DELETE', `/scheduled-jobs/${id}`)).status).toBe(404);
  }, 40_000);
});

describe('the jobs a tick starts', () => {
  it('carry the inputs, secrets intact, defaults, webhooks and autoDelete, and name their schedule', async () => {
    const document = {
      name: 'nightly report',
      description: 'a report',
      tags: ['reports'],
      schedule: { cron: '* * * * * *', timezone: 'Europe/Paris' },
      inputs: { region: 'eu' },
      secrets: { token: 's3cr3t-value' },
      defaults: { timeout: '5m' },
      webhooks: [{ url: 'http://127.0.0.1:9/hook' }],
      autoDelete: { after: '1h' },
      tasks: [{ name: 'report', run: 'echo "$REGION"', env: { REGION: '{{ inputs.region }}' } }],
    };
    const created = await call('POST', '/scheduled-jobs', document);
    expect(created.body).toMatchObject({ name: 'nightly report', state: 'ACTIVE', cron: '* * * * * *', timezone: 'Europe/Paris', inputs: { region: 'eu' }, tags: ['reports'] });
    const id = created.body!['id'] as string;

    const shown = await call('GET', `/scheduled-jobs/${id}`);
    expect(scheduledJobSchema.safeParse(shown.body).success).toBe(true);
    expect(shown.body).toMatchObject({ secrets: { token: '[REDACTED]' }, defaults: { timeout: '5m' }, autoDelete: { after: '1h' }, webhooks: [{ url: 'http://127.0.0.1:9/hook' }] });
    expect(JSON.stringify(shown.body)).not.toContain('s3cr3t-value');

    const [first] = await until('a tick', async () => {
      const found = await instancesOf(id);
      return found.length >= 1 ? found : undefined;
    }, 10_000);
    await call('PUT', `/scheduled-jobs/${id}/pause`);
    const stored = await test.db.query<{ secrets: Record<string, string>; inputs: Record<string, string>; document: Record<string, unknown> }>('SELECT secrets, inputs, document FROM twerk.jobs WHERE id = $1', [first!.id]);
    expect(stored.rows[0]!.secrets).toEqual({ token: 's3cr3t-value' });
    expect(stored.rows[0]!.inputs).toEqual({ region: 'eu' });
    expect(stored.rows[0]!.document).toMatchObject({ defaults: { timeout: '5m' }, autoDelete: { after: '1h' }, webhooks: [{ url: 'http://127.0.0.1:9/hook' }] });
    expect(stored.rows[0]!.document).not.toHaveProperty('schedule');
    const job = await call('GET', `/jobs/${first!.id}`);
    expect(job.body).toMatchObject({ name: 'nightly report', schedule: { id }, tags: ['reports'] });
  }, 30_000);

  it('are listed newest first, with a page', async () => {
    const listed = await call('GET', '/scheduled-jobs?size=2');
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ number: 1, size: 2 });
    expect(listed.body!['totalItems']).toBeGreaterThanOrEqual(2);
    expect(listed.body!['items'][0]['name']).toBe('nightly report');
  });
});

describe('ticks missed while nothing ran', () => {
  it('fire once for the latest of them, then the schedule carries on from now', async () => {
    const created = await call('POST', '/scheduled-jobs', { name: 'hourly', cron: '0 * * * *', tasks: [{ name: 'noop', run: 'true' }] });
    const id = created.body!['id'] as string;
    // As if every coordinator had been down since five hours ago.
    await test.db.query("UPDATE twerk.scheduled_jobs SET next_run_at = date_trunc('hour', now()) - interval '5 hours' WHERE id = $1", [id]);
    const [instance] = await until('the catch-up firing', async () => {
      const found = await instancesOf(id);
      return found.length >= 1 ? found : undefined;
    }, 10_000);
    await sleep(1_500);
    const fired = await instancesOf(id);
    expect(fired).toHaveLength(1);
    const hour = (await test.db.query<{ hour: Date }>("SELECT date_trunc('hour', now()) AS hour")).rows[0]!.hour;
    expect(instance!.scheduledFor).toEqual(hour);
    const next = await call('GET', `/scheduled-jobs/${id}`);
    expect(new Date(next.body!['nextRunAt'] as string).getTime()).toBe(hour.getTime() + 3_600_000);
  }, 20_000);
});

describe('bad scheduled jobs', () => {
  it.each([
    [{ name: 'x', tasks: [{ name: 't', run: 'true' }] }, 'schedule'],
    [{ name: 'x', cron: '* * *', tasks: [{ name: 't', run: 'true' }] }, 'cron'],
    [{ name: 'x', schedule: { cron: '0 0 * * *', timezone: 'Mars/Olympus' }, tasks: [{ name: 't', run: 'true' }] }, 'schedule'],
    [{ name: 'x', cron: '0 0 * * *', tasks: [] }, 'tasks'],
  ])('are refused with the field path (%#)', async (document, path) => {
    const answer = await call('POST', '/scheduled-jobs', document);
    expect(answer.status).toBe(400);
    expect((answer.body!['errors'] as { path: string }[]).some((error) => error.path.startsWith(path))).toBe(true);
  });

  it('404 for unknown ids', async () => {
    expect((await call('GET', '/scheduled-jobs/nope')).status).toBe(404);
    expect((await call('PUT', '/scheduled-jobs/nope/pause')).status).toBe(404);
    expect((await call('PUT', '/scheduled-jobs/nope/resume')).status).toBe(404);
  });
});
