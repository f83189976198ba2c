/**
 * Auth over real HTTP, on PostgreSQL: a table walks every route of the contract and checks that each
 * one but the public few refuses a missing or wrong credential (401); administrators' routes refuse a
 * plain user (403); a job (and its tasks, log and scheduled job) is hidden from users its permissions do
 * not name (404), and lists show only what the caller may see; keys are shown once, and a revoked key
 * or a disabled user stops working at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareAuth } from '../auth/bootstrap.ts';
import { until } from '../cli/testing.ts';
import { createPostgresTestDatabase, type TestDatabase } from '../db/testing.ts';
import type { Engine } from '../engine/engine.ts';
import { buildApp } from './app.ts';
import { routeMetadata } from './auth.ts';
import { startTestApi, type TestApi } from './testing.ts';

const ADMIN = { username: 'admin', password: 'admin-password-123' };
const WORKER_TOKEN = 'worker-token-0123456789';
const STATIC_KEY = 'static-admin-key-0123456789';
let test: TestDatabase;
let api: TestApi;
let engine: Engine;
let base: string;

beforeAll(async () => {
  test = await createPostgresTestDatabase();
  const auth = { basic: true, keys: true, staticKey: STATIC_KEY, admin: ADMIN };
  api = await startTestApi(test, { nodeId: 'auth-test', app: { auth, workerToken: WORKER_TOKEN } });
  ({ engine, base } = api);
  await prepareAuth(engine.db, auth);
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await test?.dispose();
});

type Who = Record<string, string>;
const basic = (username: string, password: string): Who => ({ authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` });
const admin = basic(ADMIN.username, ADMIN.password);

async function call(method: string, path: string, who: Who = {}, body?: unknown) {
  const init: RequestInit = { method, headers: { ...who, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let parsed: any;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

const routes = [...routeMetadata().entries()].map(([key, metadata]) => {
  const [method, path] = key.split(' ') as [string, string];
  return { method, path: path.replace(/:[a-z_]+/gi, 'x'), metadata };
});

describe('every route of the contract', () => {
  it('is in the table', () => {
    expect(routes.length).toBeGreaterThan(50);
  });

  it.each(routes.filter((route) => !route.metadata.public).map((route) => [`${route.method} ${route.path}`, route]))(
    '%s refuses a missing, a wrong and a malformed credential with 401',
    async (_name, route) => {
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      for (const who of [{}, basic(ADMIN.username, 'not-the-password'), basic('nobody-here', 'whatever1'), { 'x-api-key': 'twk_not-a-real-key' }, { authorization: 'Bearer twk_forged' }, { authorization: 'Digest abc' }]) {
        const answer = await call(route.method, route.path, who, body);
        expect(answer.status, `${JSON.stringify(who)} → ${JSON.stringify(answer.body)}`).toBe(401);
        expect(answer.body).toMatchObject({ code: 'unauthorized' });
      }
    },
  );

  it('leaves only /health open, and inbound webhooks, which answer to their own trigger\'s secret', async () => {
    expect(routes.filter((route) => route.metadata.public).map((route) => `${route.method} ${route.path}`)).toEqual(['GET /health', 'POST /hooks/x']);
    expect((await call('GET', '/health')).status).toBe(200);
    expect((await call('POST', '/hooks/nothing-here', {}, {})).status).toBe(404);
    await call('POST', '/triggers', admin, { id: 'hooked', name: 'hooked', enabled: true, hookPath: 'hooked', secret: 'a-long-enough-hook-secret', job: { name: 'j', tasks: [{ name: 't', run: 'true' }] } });
    expect((await call('POST', '/hooks/hooked', {}, {})).status).toBe(401);
    expect((await call('POST', '/hooks/hooked', { 'x-twerk-signature': 'sha256=00' }, {})).status).toBe(401);
  });

  it('refuses a plain user on the administrator\'s routes with 403', async () => {
    await call('POST', '/users', admin, { username: 'plain', password: 'plain-password' });
    const plain = basic('plain', 'plain-password');
    const adminOnly = routes.filter((route) => route.metadata.admin);
    expect(adminOnly.length).toBeGreaterThanOrEqual(10);
    for (const route of adminOnly) {
      const answer = await call(route.method, route.path, plain, route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
      expect(answer.status, `${route.method} ${route.path}`).toBe(403);
    }
  });

  it('answers unknown paths 404 with or without credentials', async () => {
    expect((await call('GET', '/no/such/route')).status).toBe(404);
    expect((await call('GET', '/no/such/route', admin)).status).toBe(404);
  });
});

describe('users, roles and keys', () => {
  it('creates users with roles (409 for a taken name), gets, lists, disables and deletes them', async () => {
    expect((await call('POST', '/roles', admin, { slug: 'ops', name: 'Operations' })).status).toBe(200);
    expect((await call('POST', '/roles', admin, { slug: 'ops', name: 'Again' })).status).toBe(409);
    const created = await call('POST', '/users', admin, { username: 'carol', password: 'carol-password', name: 'Carol', roles: ['ops'] });
    expect(created.body).toMatchObject({ username: 'carol', name: 'Carol', roles: ['ops'], disabled: false });
    expect(JSON.stringify(created.body)).not.toContain('carol-password');
    expect((await call('POST', '/users', admin, { username: 'carol', password: 'another-password' })).status).toBe(409);
    expect(await call('POST', '/users', admin, { username: 'dave', password: 'dave-password', roles: ['nope'] })).toMatchObject({ status: 400, body: { errors: [{ path: 'roles[0]' }] } });
    expect((await call('POST', '/users', admin, { username: '1bad', password: 'short' })).status).toBe(400);
    expect((await call('GET', '/users/carol', admin)).body).toMatchObject({ username: 'carol' });
    const listed = (await call('GET', '/users', admin)).body as { username: string; passwordHash?: string }[];
    expect(listed.map((user) => user.username)).toEqual(expect.arrayContaining(['admin', 'carol']));
    expect(JSON.stringify(listed)).not.toMatch(/scrypt|password/i);
    expect((await call('GET', '/roles', admin)).body.map((role: { slug: string }) => role.slug)).toEqual(['admin', 'ops']);
  });

  it('shows a key once, lists it without its secret, and a revoked key stops working at once', async () => {
    await call('POST', '/users', admin, { username: 'erin', password: 'erin-password' });
    const erin = basic('erin', 'erin-password');
    const made = await call('POST', '/keys', erin, { name: 'ci' });
    expect(made.status).toBe(200);
    const secret = made.body.key as string;
    expect(secret).toMatch(/^twk_[A-Za-z0-9_-]{43}$/);
    expect((await call('GET', '/jobs', { 'x-api-key': secret })).status).toBe(200);
    expect((await call('GET', '/jobs', { authorization: `Bearer ${secret}` })).status).toBe(200);
    const keys = await call('GET', '/keys', { 'x-api-key': secret });
    expect(keys.body).toEqual([expect.objectContaining({ id: made.body.id, name: 'ci', username: 'erin' })]);
    expect(JSON.stringify(keys.body)).not.toContain(secret);
    const stored = await test.db.query<{ digest: string }>('SELECT digest FROM twerk.api_keys WHERE id = $1', [made.body.id]);
    expect(stored.rows[0]!.digest).not.toContain(secret.slice(4));

    expect((await call('DELETE', `/keys/${made.body.id as string}`, erin)).status).toBe(204);
    expect((await call('GET', '/jobs', { 'x-api-key': secret })).status).toBe(401);
    expect((await call('DELETE', `/keys/${made.body.id as string}`, erin)).status).toBe(404);
  });

  it('turns a disabled user away at once, by password and by key, and lets them back when enabled', async () => {
    await call('POST', '/users', admin, { username: 'frank', password: 'frank-password' });
    const frank = basic('frank', 'frank-password');
    const key = (await call('POST', '/keys', frank, { name: 'k' })).body.key as string;
    expect((await call('GET', '/jobs', frank)).status).toBe(200);
    expect((await call('PUT', '/users/frank/disable', admin)).body).toMatchObject({ disabled: true });
    expect((await call('GET', '/jobs', frank)).status).toBe(401);
    expect((await call('GET', '/jobs', { 'x-api-key': key })).status).toBe(401);
    await call('PUT', '/users/frank/enable', admin);
    expect((await call('GET', '/jobs', frank)).status).toBe(200);
    expect((await call('DELETE', '/users/frank', admin)).status).toBe(204);
    expect((await call('GET', '/jobs', { 'x-api-key': key })).status).toBe(401);
  });

  it('lets the static key in as the administrator, but it cannot own keys', async () => {
    expect((await call('GET', '/users', { 'x-api-key': STATIC_KEY })).status).toBe(200);
    expect((await call('POST', '/keys', { 'x-api-key': STATIC_KEY }, { name: 'x' })).status).toBe(400);
  });
});

describe('job permissions', () => {
  let alice: Who;
  let bob: Who;
  let olga: Who;

  beforeAll(async () => {
    await call('POST', '/roles', admin, { slug: 'auditors', name: 'Auditors' });
    for (const [username, roles] of [['alice', []], ['bob', []], ['olga', ['auditors']]] as const) {
      await call('POST', '/users', admin, { username, password: `${username}-password`, roles });
    }
    alice = basic('alice', 'alice-password');
    bob = basic('bob', 'bob-password');
    olga = basic('olga', 'olga-password');
  });

  async function finished(id: string, who: Who) {
    return until('the job to finish', async () => {
      const job = await call('GET', `/jobs/${id}`, who);
      return ['COMPLETED', 'FAILED'].includes(job.body?.state) ? job.body : undefined;
    }, 20_000);
  }

  it('records the creator and hides the job, its tasks and its log from users it does not name', async () => {
    const submitted = await call('POST', '/jobs', alice, { name: 'private', permissions: [{ user: 'alice' }, { role: 'auditors' }], tasks: [{ name: 'hi', run: 'echo private' }] });
    expect(submitted.body).toMatchObject({ createdBy: { username: 'alice' } });
    const id = submitted.body.id as string;
    const job = await finished(id, alice);
    const taskId = job.execution[0].id as string;

    for (const [method, path] of [['GET', `/jobs/${id}`], ['GET', `/jobs/${id}/log`], ['PUT', `/jobs/${id}/cancel`], ['POST', `/jobs/${id}/cancel`], ['PUT', `/jobs/${id}/restart`], ['DELETE', `/jobs/${id}`], ['GET', `/tasks/${taskId}`], ['GET', `/tasks/${taskId}/log`]] as const) {
      expect((await call(method, path, bob)).status, `${method} ${path}`).toBe(404);
    }
    expect((await call('GET', `/jobs/${id}`, olga)).status).toBe(200);
    expect((await call('GET', `/tasks/${taskId}/log`, olga)).status).toBe(200);
    expect((await call('GET', `/jobs/${id}`, admin)).status).toBe(200);

    const seenBy = async (who: Who) => ((await call('GET', '/jobs?size=20', who)).body.items as { id: string }[]).map((item) => item.id);
    expect(await seenBy(alice)).toContain(id);
    expect(await seenBy(olga)).toContain(id);
    expect(await seenBy(admin)).toContain(id);
    expect(await seenBy(bob)).not.toContain(id);
    expect((await call('DELETE', `/jobs/${id}`, alice)).status).toBe(204);
  }, 30_000);

  it('shows a job without permissions to every signed-in user, as Tork does', async () => {
    const id = (await call('POST', '/jobs', alice, { name: 'open', tasks: [{ name: 'hi', run: 'true' }] })).body.id as string;
    expect((await call('GET', `/jobs/${id}`, bob)).status).toBe(200);
  });

  it('refuses permissions that name no user or role', async () => {
    const answer = await call('POST', '/jobs', alice, { name: 'x', permissions: [{ user: 'ghost' }, { role: 'phantoms' }], tasks: [{ name: 't', run: 'true' }] });
    expect(answer).toMatchObject({ status: 400, body: { errors: [{ path: 'permissions[0].user' }, { path: 'permissions[1].role' }] } });
  });

  it('guards scheduled jobs the same way', async () => {
    const created = await call('POST', '/scheduled-jobs', alice, { name: 'nightly', cron: '0 3 * * *', permissions: [{ user: 'alice' }], tasks: [{ name: 't', run: 'true' }] });
    expect(created.body).toMatchObject({ createdBy: { username: 'alice' } });
    const id = created.body.id as string;
    for (const [method, path] of [['GET', `/scheduled-jobs/${id}`], ['PUT', `/scheduled-jobs/${id}/pause`], ['PUT', `/scheduled-jobs/${id}/resume`], ['DELETE', `/scheduled-jobs/${id}`]] as const) {
      expect((await call(method, path, bob)).status, `${method} ${path}`).toBe(404);
    }
    expect(((await call('GET', '/scheduled-jobs', bob)).body.items as { id: string }[]).map((item) => item.id)).not.toContain(id);
    expect(((await call('GET', '/scheduled-jobs', alice)).body.items as { id: string }[]).map((item) => item.id)).toContain(id);
    expect((await call('PUT', `/scheduled-jobs/${id}/pause`, alice)).status).toBe(200);
    expect((await call('DELETE', `/scheduled-jobs/${id}`, admin)).status).toBe(200);
  });
});

describe('the worker protocol with auth on', () => {
  it('takes the worker token or an administrator, and refuses a plain user with 403', async () => {
    expect((await call('GET', '/api/workers', { 'x-worker-token': WORKER_TOKEN })).status).toBe(200);
    expect((await call('GET', '/api/workers', { authorization: `Bearer ${WORKER_TOKEN}` })).status).toBe(200);
    expect((await call('GET', '/api/workers', admin)).status).toBe(200);
    expect((await call('GET', '/api/workers', basic('alice', 'alice-password'))).status).toBe(403);
    expect((await call('GET', '/api/workers', { 'x-worker-token': 'wrong-token-0123456789' })).status).toBe(401);
  });
});

describe('rate limits with auth on', () => {
  it('count each signed-in client on its own, however many share an address, and answer 429 with Retry-After', async () => {
    const { DEFAULT_WEB_SETTINGS } = await import('./middleware/settings.ts');
    const limited = await buildApp({ engine, version: 'test', auth: { basic: true, keys: true }, web: { ...DEFAULT_WEB_SETTINGS, rateLimit: { enabled: true, rps: 0.2, burst: 2 } } });
    const limitedBase = await limited.listen({ host: '127.0.0.1', port: 0 });
    try {
      const get = async (who: Who) => fetch(`${limitedBase}/jobs`, { headers: who });
      for (let index = 0; index < 2; index += 1) expect((await get(admin)).status).toBe(200);
      const refused = await get(admin);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await refused.json()).toMatchObject({ code: 'rate_limited' });
      // Another user from the same address has a bucket of their own.
      expect((await get(basic('alice', 'alice-password'))).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
