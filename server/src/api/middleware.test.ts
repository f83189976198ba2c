/** The web middleware and the endpoint switches over real HTTP, on embedded PGlite with the shell runtime. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteTestDatabase, type TestDatabase } from '../db/testing.ts';
import { startEngine, type Engine } from '../engine/engine.ts';
import { shellRunner } from '../engine/shell-runner.ts';
import { buildApp, type AppOptions } from './app.ts';
import { DEFAULT_WEB_SETTINGS, ENDPOINT_GROUPS, type EndpointGroup, type WebSettings } from './middleware/settings.ts';

const scratch = mkdtempSync(join(tmpdir(), 'twerk-middleware-'));
let test: TestDatabase;
let engine: Engine;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  test = await createPgliteTestDatabase();
  engine = await startEngine({ db: test.db as never, coordinator: true, worker: { runner: shellRunner({ baseDir: scratch, logFlushMs: 20 }), queues: { default: 1 }, nodeId: 'middleware-test' } });
}, 60_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  await engine?.stop();
  await test?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

type Sections = { [K in keyof WebSettings]?: WebSettings[K] extends object ? Partial<WebSettings[K]> : WebSettings[K] };

/** The default settings with some sections changed. */
function web(changes: Sections = {}): WebSettings {
  const settings: Record<string, unknown> = { ...DEFAULT_WEB_SETTINGS };
  for (const [key, value] of Object.entries(changes)) {
    const base = settings[key];
    settings[key] = typeof base === 'object' && base !== null ? { ...base, ...(value as object) } : value;
  }
  return settings as unknown as WebSettings;
}

/** A server of its own: the middleware is fixed when the app is built. */
async function serve(options: Partial<AppOptions> = {}): Promise<(method: string, path: string, init?: { body?: string; headers?: Record<string, string> }) => Promise<Answer>> {
  const app = await buildApp({ engine, version: '0.1.0', ...options });
  apps.push(app);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return async (method, path, init = {}) => {
    const response = await fetch(`${base}${path}`, { method, ...(init.body !== undefined ? { body: init.body } : {}), headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers } });
    const text = await response.text();
    let body: any;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: response.status, headers: response.headers, body };
  };
}

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

const JOB = JSON.stringify({ name: 'small', tasks: [{ name: 't', run: 'true' }] });

/** A YAML job document of exactly `bytes` bytes: a comment pads it. */
function jobOfSize(bytes: number): string {
  const head = "name: padded\ntasks:\n  - name: t\n    run: 'true'\n";
  const lines: string[] = [];
  let size = head.length;
  while (size < bytes) {
    const line = `#${'x'.repeat(Math.min(99, bytes - size - 2))}\n`;
    lines.push(line);
    size += line.length;
  }
  const document = head + lines.join('');
  if (Buffer.byteLength(document) !== bytes) throw new Error(`padding went wrong: ${Buffer.byteLength(document)} bytes`);
  return document;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('CORS', () => {
  const preflight = { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-api-key' };

  it('is off by default: no CORS headers, and a preflight is an unknown route', async () => {
    const call = await serve();
    expect((await call('GET', '/jobs', { headers: { origin: 'https://app.example.com' } })).headers.get('access-control-allow-origin')).toBeNull();
    expect(await call('OPTIONS', '/jobs', { headers: preflight })).toMatchObject({ status: 404 });
  });

  it("answers a preflight with 204 and Tork's defaults: any origin, the method and headers asked for", async () => {
    const call = await serve({ web: web({ cors: { enabled: true } }) });
    const answer = await call('OPTIONS', '/jobs', { headers: preflight });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('access-control-allow-methods')).toBe('POST');
    expect(answer.headers.get('access-control-allow-headers')).toBe('content-type, x-api-key');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    const simple = await call('GET', '/jobs', { headers: { origin: 'https://app.example.com' } });
    expect(simple.status).toBe(200);
    expect(simple.headers.get('access-control-allow-origin')).toBe('*');
    expect(simple.headers.get('access-control-expose-headers')).toContain('Retry-After');
    // The same answer for every origin: nothing for caches to keep apart.
    expect(simple.headers.get('vary') ?? '').not.toContain('Origin');
    // Without an Origin it is not a CORS request at all.
    expect((await call('GET', '/jobs')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('echoes a listed origin with Vary: Origin, lists the configured methods and headers, and refuses other origins', async () => {
    const call = await serve({ web: web({ cors: { enabled: true, origins: ['https://app.example.com', 'https://*.trusted.dev'], methods: ['GET', 'POST'], headers: ['Content-Type'] } }) });
    const answer = await call('OPTIONS', '/jobs', { headers: preflight });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(answer.headers.get('vary')).toContain('Origin');
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(answer.headers.get('access-control-allow-headers')).toBe('Content-Type');
    const wildcard = await call('GET', '/jobs', { headers: { origin: 'https://ci.trusted.dev' } });
    expect(wildcard.headers.get('access-control-allow-origin')).toBe('https://ci.trusted.dev');
    expect(wildcard.headers.get('vary')).toContain('Origin');

    const stranger = await call('GET', '/jobs', { headers: { origin: 'https://evil.example.org' } });
    expect(stranger.status).toBe(200);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    expect(stranger.headers.get('vary')).toContain('Origin');
    const strangerPreflight = await call('OPTIONS', '/jobs', { headers: { ...preflight, origin: 'https://evil.example.org' } });
    expect(strangerPreflight.status).toBe(204);
    expect(strangerPreflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(strangerPreflight.headers.get('access-control-allow-methods')).toBeNull();
    expect((await call('GET', '/jobs', { headers: { origin: 'https://evil.com/.trusted.dev' } })).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('with credentials never answers *: it echoes the origin and allows credentials, and refuses the null origin', async () => {
    const call = await serve({ web: web({ cors: { enabled: true, credentials: true } }) });
    const answer = await call('OPTIONS', '/jobs/abc', { headers: { ...preflight, 'access-control-request-method': 'delete' } });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(answer.headers.get('access-control-allow-credentials')).toBe('true');
    expect(answer.headers.get('access-control-allow-methods')).toBe('DELETE');
    expect(answer.headers.get('vary')).toContain('Origin');
    const simple = await call('GET', '/jobs', { headers: { origin: 'http://localhost:3000' } });
    expect(simple.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(simple.headers.get('access-control-allow-credentials')).toBe('true');
    expect((await call('GET', '/jobs', { headers: { origin: 'null' } })).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers preflights before the rate limit sees them', async () => {
    const call = await serve({ web: web({ cors: { enabled: true }, rateLimit: { enabled: true, rps: 1, burst: 1 } }) });
    const answers = await Promise.all([1, 2, 3, 4].map(() => call('OPTIONS', '/jobs', { headers: preflight })));
    expect(answers.map((answer) => answer.status)).toEqual([204, 204, 204, 204]);
    expect((await call('GET', '/jobs')).status).toBe(200);
  });
});

describe('rate limit', () => {
  it('is off by default', async () => {
    const call = await serve();
    const answers = await Promise.all(Array.from({ length: 30 }, () => call('GET', '/nodes')));
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([200]));
    expect(answers[0]!.headers.get('ratelimit-limit')).toBeNull();
  });

  it('answers 429 with Retry-After and a JSON body over the limit, and recovers after the wait', async () => {
    const call = await serve({ web: web({ rateLimit: { enabled: true, rps: 1, burst: 2 } }) });
    const first = await call('GET', '/jobs');
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect((await call('GET', '/nodes')).status).toBe(200);
    const refused = await call('GET', '/jobs');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ message: expect.stringMatching(/^too many requests: /), code: 'rate_limited' });
    expect(refused.headers.get('content-type')).toContain('application/json');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    // Unknown paths count too: a scanner is limited like anyone else.
    expect((await call('GET', '/no/such/route')).status).toBe(429);

    await sleep(Number(refused.headers.get('retry-after')) * 1000 + 100);
    expect((await call('GET', '/jobs')).status).toBe(200);
  });

  it('never limits /health', async () => {
    const call = await serve({ web: web({ rateLimit: { enabled: true, rps: 1, burst: 1 } }) });
    const answers = await Promise.all(Array.from({ length: 10 }, () => call('GET', '/health')));
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 10 }, () => 200));
    expect(answers[0]!.headers.get('ratelimit-limit')).toBeNull();
    expect((await call('GET', '/jobs')).status).toBe(200);
    expect((await call('GET', '/jobs')).status).toBe(429);
  });

  it('keeps a bucket per client: X-Forwarded-For names the client only when trustproxy is on', async () => {
    const trusting = await serve({ web: web({ trustProxy: true, rateLimit: { enabled: true, rps: 1, burst: 1 } }) });
    const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
    expect((await trusting('GET', '/jobs', from('10.0.0.1'))).status).toBe(200);
    expect((await trusting('GET', '/jobs', from('10.0.0.1'))).status).toBe(429);
    expect((await trusting('GET', '/jobs', from('10.0.0.2'))).status).toBe(200);

    const direct = await serve({ web: web({ rateLimit: { enabled: true, rps: 1, burst: 1 } }) });
    expect((await direct('GET', '/jobs', from('10.0.0.1'))).status).toBe(200);
    // A made-up header does not buy a fresh bucket: both come from 127.0.0.1.
    expect((await direct('GET', '/jobs', from('10.0.0.2'))).status).toBe(429);
  });

  it('buckets by the client the credentials name when given a ClientIdentifier, by address otherwise', async () => {
    const call = await serve({
      web: web({ rateLimit: { enabled: true, rps: 1, burst: 1 } }),
      clientId: (request) => {
        const key = request.headers['x-api-key'];
        return typeof key === 'string' ? `key:${key}` : undefined;
      },
    });
    const as = (key: string) => ({ headers: { 'x-api-key': key } });
    expect((await call('GET', '/jobs', as('alice'))).status).toBe(200);
    expect((await call('GET', '/jobs', as('alice'))).status).toBe(429);
    expect((await call('GET', '/jobs', as('bob'))).status).toBe(200);
    expect((await call('GET', '/jobs')).status).toBe(200);
    expect((await call('GET', '/jobs')).status).toBe(429);
  });
});

describe('in front of authentication', () => {
  it('answers preflights and over-limit requests before credentials are asked for, with the security headers on a 401', async () => {
    const call = await serve({ auth: { basic: true, keys: true }, web: web({ cors: { enabled: true }, rateLimit: { enabled: true, rps: 1, burst: 1 } }) });
    const preflight = await call('OPTIONS', '/jobs', { headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization');
    const unauthenticated = await call('GET', '/jobs', { headers: { origin: 'https://app.example.com' } });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('x-frame-options')).toBe('DENY');
    expect(unauthenticated.headers.get('access-control-allow-origin')).toBe('*');
    // The same anonymous client again: over its limit, refused before its (missing) credentials are looked at.
    expect((await call('GET', '/jobs', { headers: { origin: 'https://app.example.com' } })).status).toBe(429);
    // A client claiming a user has a bucket of its own; its wrong password is then refused by auth.
    expect((await call('GET', '/jobs', { headers: { authorization: 'Basic bm9ib2R5Ondyb25n' } })).status).toBe(401);
  });
});

describe('body limit', () => {
  it('accepts a 512 KiB document at the default, and refuses one byte more with 413', async () => {
    const call = await serve();
    const accepted = await call('POST', '/jobs', { body: jobOfSize(524_288), headers: { 'content-type': 'text/yaml' } });
    expect(accepted).toMatchObject({ status: 200, body: { name: 'padded' } });
    const refused = await call('POST', '/jobs', { body: jobOfSize(524_289), headers: { 'content-type': 'text/yaml' } });
    expect(refused).toMatchObject({ status: 413, body: { code: 'body_too_large', message: 'the request body is larger than 524288 bytes (512 KiB), this server\'s limit' } });
  });

  it('with 1K, holds every route to it, documents and worker reports alike', async () => {
    const call = await serve({ web: web({ bodyLimit: 1024 }) });
    expect((await call('POST', '/jobs', { body: JOB })).status).toBe(200);
    const big = JSON.stringify({ name: 'x'.repeat(2000), tasks: [{ name: 't', run: 'true' }] });
    expect(await call('POST', '/jobs', { body: big })).toMatchObject({ status: 413, body: { code: 'body_too_large', message: expect.stringContaining('1024 bytes (1 KiB)') } });
    expect(await call('POST', '/api/workers/register', { body: JSON.stringify({ worker_id: 'w', labels: ['x'.repeat(2000)] }) })).toMatchObject({ status: 413, body: { code: 'body_too_large' } });
  });

  it('with 8M, lets larger bodies reach the routes, while documents keep their own 512 KiB', async () => {
    const call = await serve({ web: web({ bodyLimit: 8 * 2 ** 20 }) });
    expect(await call('POST', '/jobs', { body: jobOfSize(600_000), headers: { 'content-type': 'text/yaml' } })).toMatchObject({ status: 413, body: { code: 'document_too_large' } });
    const report = await call('POST', '/api/workers/register', { body: JSON.stringify({ worker_id: 'w-big', labels: ['gpu'], padding: 'x'.repeat(1_000_000) }) });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ worker_id: 'w-big' });
  });
});

describe('request log', () => {
  function capture(level = 'trace') {
    const lines: Record<string, unknown>[] = [];
    const raw: string[] = [];
    const logger = pino({ level }, { write: (line: string) => void (raw.push(line), lines.push(JSON.parse(line) as Record<string, unknown>)) });
    /** Lines are written once the answer has gone, so a client may read the answer first. */
    const settled = async (count: number, patienceMs = 2_000) => {
      for (let waited = 0; lines.length < count && waited < patienceMs; waited += 10) await sleep(10);
      await sleep(50);
      return lines;
    };
    return { logger, lines, raw, settled };
  }

  it('writes one line per request at debug, with method, route, path, status, duration and address, and nothing secret', async () => {
    const { logger, raw, settled } = capture();
    const call = await serve({ logger });
    await call('GET', '/health');
    await call('GET', '/jobs?q=token-s3cr3t&page=1', { headers: { 'x-api-key': 'key-hunter2', authorization: 'Basic dXNlcjpodW50ZXIy', cookie: 'session=cookie-s3cr3t' } });
    await call('POST', '/jobs', { body: JSON.stringify({ name: 'logged', secrets: { password: 'body-s3cr3t' }, tasks: [{ name: 't', run: 'true' }] }) });
    await call('GET', '/no/such/route?token=path-s3cr3t');
    const lines = await settled(3);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 20, msg: 'request', method: 'GET', route: '/jobs', path: '/jobs', status: 200, remote: '127.0.0.1' });
    expect(typeof lines[0]!['ms']).toBe('number');
    expect(lines[1]).toMatchObject({ method: 'POST', route: '/jobs', status: 200 });
    expect(lines[2]).toMatchObject({ method: 'GET', path: '/no/such/route', status: 404 });
    expect(lines[2]).not.toHaveProperty('route');
    const text = raw.join('');
    for (const secret of ['s3cr3t', 'hunter2', 'dXNlcjpodW50ZXIy', 'page=1']) expect(text).not.toContain(secret);
  });

  it('skips requests matching the skip list, with * wildcards, and logs at the level asked for', async () => {
    const { logger, settled } = capture();
    const call = await serve({ logger, web: web({ logger: { level: 'info', skip: ['GET /jobs/*', 'GET /nodes'] } }) });
    await call('GET', '/jobs/some-id');
    await call('GET', '/jobs/some-id/log');
    await call('GET', '/nodes');
    await call('GET', '/health');
    await call('GET', '/jobs');
    const lines = await settled(2);
    expect(lines.map((line) => [line['level'], line['method'], line['path']])).toEqual([
      [30, 'GET', '/health'],
      [30, 'GET', '/jobs'],
    ]);
  });

  it('writes nothing when switched off', async () => {
    const { logger, settled } = capture();
    const call = await serve({ logger, web: web({ logger: { enabled: false } }) });
    await call('GET', '/jobs');
    await call('GET', '/nodes');
    expect(await settled(1, 300)).toEqual([]);
  });
});

describe('security headers', () => {
  const expected = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
  };
  const headersOf = (answer: Answer) => Object.fromEntries(Object.keys(expected).map((name) => [name, answer.headers.get(name)]));

  it('are on every answer by default, errors included, without HSTS', async () => {
    const call = await serve({ web: web({ bodyLimit: 1024 }) });
    for (const answer of [await call('GET', '/jobs'), await call('GET', '/no/such/route'), await call('GET', '/jobs/nope'), await call('POST', '/jobs', { body: 'x'.repeat(2000) }), await call('GET', '/jobs?size=5000')]) {
      expect(headersOf(answer)).toEqual(expected);
      expect(answer.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('add HSTS only when hsts is set, and go when switched off', async () => {
    const hsts = await serve({ web: web({ secureHeaders: { enabled: true, hstsSeconds: 31_536_000 } }) });
    expect((await hsts('GET', '/jobs')).headers.get('strict-transport-security')).toBe('max-age=31536000');
    const off = await serve({ web: web({ secureHeaders: { enabled: false } }) });
    const answer = await off('GET', '/jobs');
    expect(answer.status).toBe(200);
    expect(headersOf(answer)).toEqual(Object.fromEntries(Object.keys(expected).map((name) => [name, null])));
  });
});

describe('endpoint switches', () => {
  const json = (value: unknown) => ({ body: JSON.stringify(value) });
  /** Requests that reach each group's routes (when served, none answers the generic 404). */
  const probes: Record<EndpointGroup, [string, string, { body?: string; headers?: Record<string, string> }?][]> = {
    health: [['GET', '/health']],
    jobs: [['GET', '/jobs'], ['GET', '/jobs/nope'], ['GET', '/scheduled-jobs'], ['POST', '/jobs', json({ name: 'probe', tasks: [{ name: 't', run: 'true' }] })]],
    tasks: [['GET', '/tasks/nope'], ['GET', '/tasks/nope/log']],
    nodes: [['GET', '/nodes'], ['GET', '/nodes/nope']],
    queues: [['GET', '/queues'], ['GET', '/queues/default']],
    metrics: [['GET', '/metrics']],
    users: [['GET', '/users'], ['GET', '/users/nope'], ['GET', '/roles']],
    triggers: [['GET', '/triggers'], ['GET', '/api/v1/triggers'], ['POST', '/events', json({ name: 'nothing.listens' })], ['POST', '/hooks/nope', json({})], ['POST', '/triggers/nope/fire']],
    machines: [['POST', '/machines', { body: 'startAt: A\nstates:\n  A: {type: succeed}\n', headers: { 'content-type': 'text/yaml' } }]],
    workers: [['GET', '/api/workers'], ['POST', '/api/jobs/claim', json({ worker_id: 'probe', labels: ['nothing-here'] })]],
  };
  const absent = (answer: Answer) => answer.status === 404 && answer.body?.message === 'Not Found';

  it('serves every group by default', async () => {
    const call = await serve();
    for (const [method, path, init] of Object.values(probes).flat()) expect(absent(await call(method, path, init)), `${method} ${path}`).toBe(false);
  });

  for (const group of ENDPOINT_GROUPS) {
    it(`${group} = false answers 404 Not Found for its routes and leaves the others`, async () => {
      const call = await serve({ endpoints: { [group]: false } });
      for (const [name, requests] of Object.entries(probes)) {
        for (const [method, path, init] of requests) {
          const answer = await call(method, path, init);
          expect(absent(answer), `${method} ${path} with ${group} off`).toBe(name === group);
          if (name === group) expect(answer.body).toEqual({ message: 'Not Found' });
        }
      }
      // The OpenAPI document is always there.
      expect((await call('GET', '/openapi.json')).status).toBe(200);
    });
  }
});
