/**
 * Retries, credentials and timeouts, through a small HTTP proxy in front of a real server that can
 * fail the requests it is told to, count them and record their headers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from './client.ts';
import { TwerkApiError, TwerkConnectionError } from './errors.ts';
import { freePort, startTestServer, type TestServer } from './testing.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 90_000);
afterAll(async () => server?.stop());

interface Proxy {
  readonly baseUrl: string;
  readonly seen: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

const proxies: Proxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});

/** Answers the first `failures` requests with `failWith` (a status, or 'hang'), then forwards to the server. */
async function startProxy(options: { failures?: number; failWith?: number | 'hang'; port?: number } = {}): Promise<Proxy> {
  const seen: Proxy['seen'] = [];
  let failures = options.failures ?? 0;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    seen.push({ method: request.method!, url: request.url!, headers: request.headers });
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (failures > 0) {
      failures -= 1;
      if (options.failWith === 'hang') return;
      response.writeHead(options.failWith ?? 503, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'try again later' }));
      return;
    }
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name))) as Record<string, string>;
    const forwarded = await fetch(`${server.baseUrl}${request.url}`, { method: request.method!, headers, ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}) });
    response.writeHead(forwarded.status, Object.fromEntries([...forwarded.headers].filter(([name]) => name === 'content-type'))).end(Buffer.from(await forwarded.arrayBuffer()));
  };
  const http: Server = createServer((request, response) => void handle(request, response));
  let connections = 0;
  http.on('connection', () => void (connections += 1));
  const port = options.port ?? 0;
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const address = http.address();
  const proxy: Proxy = {
    baseUrl: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`,
    seen,
    connections: () => connections,
    close: () => new Promise((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    }),
  };
  proxies.push(proxy);
  return proxy;
}

const fast = { limit: 2, initialDelayMs: 20, maxDelayMs: 50 };
const job = { name: 'one', tasks: [{ name: 't', run: 'true' }] };

describe('retries', { timeout: 20_000 }, () => {
  it('retry an idempotent GET after a 503, and it succeeds', async () => {
    const proxy = await startProxy({ failures: 1, failWith: 503 });
    const client = createClient({ baseUrl: proxy.baseUrl, retry: fast });
    expect((await client.nodes.list()).length).toBeGreaterThan(0);
    expect(proxy.seen.map((request) => request.method)).toEqual(['GET', 'GET']);
    client.close();
  });

  it('retry an idempotent GET after the connection is refused, once the server is there', async () => {
    const port = await freePort();
    const client = createClient({ baseUrl: `http://127.0.0.1:${port}`, retry: { limit: 3, initialDelayMs: 400, maxDelayMs: 400 } });
    const answer = client.queues.list();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const proxy = await startProxy({ port });
    expect((await answer).map((queue) => queue.name)).toContain('default');
    expect(proxy.seen).toHaveLength(1);
    client.close();
  });

  it('stop after the limit and answer the last status', async () => {
    const proxy = await startProxy({ failures: 10, failWith: 503 });
    const client = createClient({ baseUrl: proxy.baseUrl, retry: fast });
    await expect(client.nodes.list()).rejects.toMatchObject({ status: 503, message: 'try again later' });
    expect(proxy.seen).toHaveLength(3);
    client.close();
  });

  it('never retry a POST after a 503', async () => {
    const proxy = await startProxy({ failures: 1, failWith: 503 });
    const client = createClient({ baseUrl: proxy.baseUrl, retry: fast });
    const error = await client.jobs.submit(job).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TwerkApiError);
    expect((error as TwerkApiError).status).toBe(503);
    expect(proxy.seen.map((request) => request.method)).toEqual(['POST']);
    client.close();
  });

  it('never retry a POST after the connection is refused', async () => {
    const port = await freePort();
    const client = createClient({ baseUrl: `http://127.0.0.1:${port}`, retry: { limit: 3, initialDelayMs: 300, maxDelayMs: 300 } });
    const answer = client.jobs.submit(job).catch((caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // A retry would come 300 ms after the refusal, and find the server there this time.
    const proxy = await startProxy({ port });
    const error = await answer;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(error).toBeInstanceOf(TwerkConnectionError);
    expect((error as TwerkConnectionError).code).toBe('ECONNREFUSED');
    expect(proxy.seen).toEqual([]);
    client.close();
  });

  it('do not hide a 500 behind retries', async () => {
    const proxy = await startProxy({ failures: 1, failWith: 500 });
    const client = createClient({ baseUrl: proxy.baseUrl, retry: fast });
    await expect(client.nodes.list()).rejects.toMatchObject({ status: 500 });
    expect(proxy.seen).toHaveLength(1);
    client.close();
  });
});

describe('requests', { timeout: 20_000 }, () => {
  it('carry the credentials they are given', async () => {
    const proxy = await startProxy();
    for (const auth of [{ apiKey: 'k-123' }, { username: 'ada', password: 'pw' }, { bearer: 'tok' }]) {
      const client = createClient({ baseUrl: proxy.baseUrl, auth });
      await client.health();
      client.close();
    }
    expect(proxy.seen.map((request) => request.headers['x-api-key'] ?? request.headers.authorization)).toEqual(['k-123', `Basic ${Buffer.from('ada:pw').toString('base64')}`, 'Bearer tok']);
  });

  it('time out, and say so', async () => {
    const proxy = await startProxy({ failures: 5, failWith: 'hang' });
    const client = createClient({ baseUrl: proxy.baseUrl, timeout: 200, retry: { limit: 0 } });
    const error = await client.jobs.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TwerkConnectionError);
    expect((error as TwerkConnectionError).code).toBe('ETIMEDOUT');
    expect((error as Error).message).toContain('timed out after 200 ms');
    client.close();
  });

  it('reuse one kept-alive connection', async () => {
    const proxy = await startProxy();
    const client = createClient({ baseUrl: proxy.baseUrl });
    for (let index = 0; index < 3; index++) await client.queues.list();
    expect(proxy.seen).toHaveLength(3);
    expect(proxy.connections()).toBe(1);
    client.close();
  });
});
