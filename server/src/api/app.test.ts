/** The HTTP API over real HTTP, on embedded PGlite with the shell runtime. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobSchema, jobSummarySchema, taskLogPartSchema, taskSchema } from '@twerk/contract';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteTestDatabase, type TestDatabase } from '../db/testing.ts';
import { startEngine, type Engine } from '../engine/engine.ts';
import { shellRunner } from '../engine/shell-runner.ts';
import { buildApp } from './app.ts';

const examples = join(import.meta.dirname, '..', '..', '..', 'examples');
const scratch = mkdtempSync(join(tmpdir(), 'twerk-api-'));
let test: TestDatabase;
let engine: Engine;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  test = await createPgliteTestDatabase();
  engine = await startEngine({ db: test.db as never, coordinator: true, worker: { runner: shellRunner({ baseDir: scratch, logFlushMs: 20 }), queues: { default: 2 }, nodeId: 'api-test' } });
  app = await buildApp({ engine, version: '0.1.0', defaultWaitMs: 20_000 });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await engine?.stop();
  await test?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: string | Uint8Array, contentType = 'text/yaml') {
  const response = await fetch(`${base}${path}`, { method, ...(body !== undefined ? { body, headers: { 'content-type': contentType } } : {}) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, any>) };
}

describe('POST /jobs', () => {
  it('runs examples/hello-shell.yaml to COMPLETED when asked to wait', async () => {
    const answer = await call('POST', '/jobs?wait=true', readFileSync(join(examples, 'hello-shell.yaml')));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ state: 'COMPLETED' });
    expect(jobSchema.safeParse(answer.body).success).toBe(true);
  }, 30_000);

  it('answers examples/hello.yaml with result "hello world"', async () => {
    const answer = await call('POST', '/jobs?wait=true', readFileSync(join(examples, 'hello.yaml')));
    expect(answer.body).toMatchObject({ state: 'COMPLETED', result: 'hello world' });
  }, 30_000);

  it('answers at once with a PENDING summary when not waiting', async () => {
    const answer = await call('POST', '/jobs', JSON.stringify({ name: 'quick', tasks: [{ name: 't', run: 'true' }] }), 'application/json; charset=utf-8');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ name: 'quick', state: 'PENDING', position: 0, taskCount: 1 });
    expect(jobSummarySchema.safeParse(answer.body).success).toBe(true);
  });

  it('rejects invalid documents with every problem and its path', async () => {
    const answer = await call('POST', '/jobs', 'name: bad\ntasks:\n  - name: t\n    retry: {limit: 50}\n    queue: x-mine\n');
    expect(answer.status).toBe(400);
    expect(answer.body?.['errors'].map((error: { path: string }) => error.path)).toEqual(expect.arrayContaining(['tasks[0].retry.limit', 'tasks[0].queue']));
  });

  it('answers 415 for an unsupported content type, 413 for an oversized body, 400 for an empty one', async () => {
    expect((await call('POST', '/jobs', 'name: x', 'text/plain')).status).toBe(415);
    expect(await call('POST', '/jobs', `name: "${'x'.repeat(600_000)}"`)).toMatchObject({ status: 413, body: { code: 'body_too_large' } });
    expect(await call('POST', '/jobs', '')).toMatchObject({ status: 400, body: { code: 'empty_document' } });
    expect(await call('POST', '/jobs', '{"name": "a", "name": "b", "tasks": []}', 'application/json')).toMatchObject({ status: 400, body: { code: 'duplicate_key' } });
  });

  it('answers 408 when waiting runs out', async () => {
    const answer = await call('POST', '/jobs', 'name: slow\nwait: {timeout: 500ms}\ntasks:\n  - name: t\n    run: sleep 5\n');
    expect(answer).toMatchObject({ status: 408, body: { message: 'timeout waiting for job to complete' } });
  }, 20_000);
});

describe('reading jobs and tasks', () => {
  let jobId: string;
  beforeAll(async () => {
    const answer = await call(
      'POST',
      '/jobs?wait=true',
      'name: secretive\ntags: [nightly]\nsecrets: {token: s3cr3t-value}\ninputs: {api_token: abc}\ntasks:\n  - name: leak\n    var: out\n    env: {TOKEN: "{{ secrets.token }}"}\n    run: echo "token is $TOKEN"; echo -n "$TOKEN" > $TWERK_OUTPUT\n',
    );
    jobId = answer.body?.['id'];
  }, 30_000);

  it('redacts secrets everywhere a client can look', async () => {
    const job = (await call('GET', `/jobs/${jobId}`)).body!;
    const text = JSON.stringify(job);
    expect(text).not.toContain('s3cr3t-value');
    expect(job['secrets']).toEqual({ token: '[REDACTED]' });
    expect(job['inputs']).toEqual({ api_token: '[REDACTED]' });
    expect(job['execution'][0]).toMatchObject({ env: { TOKEN: '[REDACTED]' }, result: '[REDACTED]' });
    const log = (await call('GET', `/jobs/${jobId}/log`)).body!;
    expect(log['items'].map((part: { contents: string }) => part.contents).join('')).toBe('token is [REDACTED]\n');
    expect(taskLogPartSchema.safeParse(log['items'][0]).success).toBe(true);
    const task = (await call('GET', `/tasks/${job['execution'][0].id}`)).body!;
    expect(JSON.stringify(task)).not.toContain('s3cr3t-value');
    expect(taskSchema.safeParse(task).success).toBe(true);
  });

  it('lists jobs newest first, pages them and searches by tag and text', async () => {
    const page = (await call('GET', '/jobs?page=1&size=2')).body!;
    expect(page).toMatchObject({ number: 1, size: 2 });
    expect(page['totalItems']).toBeGreaterThanOrEqual(4);
    expect((await call('GET', '/jobs?q=tag:nightly')).body?.['items'].map((job: { id: string }) => job.id)).toEqual([jobId]);
    expect((await call('GET', '/jobs?q=secretive')).body?.['items'].map((job: { id: string }) => job.id)).toEqual([jobId]);
    expect(await call('GET', '/jobs?size=500')).toMatchObject({ status: 400, body: { errors: [{ path: 'size' }] } });
  });

  it('answers 404 for unknown jobs, tasks and routes', async () => {
    expect(await call('GET', '/jobs/nope')).toMatchObject({ status: 404, body: { message: 'job not found' } });
    expect((await call('GET', '/tasks/nope')).status).toBe(404);
    expect(await call('GET', '/no/such/route')).toMatchObject({ status: 404, body: { message: 'Not Found' } });
  });

  it('deletes finished jobs only', async () => {
    expect((await call('DELETE', `/jobs/${jobId}`)).status).toBe(204);
    expect((await call('GET', `/jobs/${jobId}`)).status).toBe(404);
  });
});

describe('sub-job secrets', () => {
  it('are hidden in the definition and in the task record', async () => {
    const answer = await call('POST', '/jobs?wait=true', 'name: parent\ntasks:\n  - name: child\n    subjob:\n      name: child job\n      secrets: {key: literal-sub-secret}\n      tasks: [{ name: t, run: "true" }]\n');
    expect(answer.body).toMatchObject({ state: 'COMPLETED' });
    expect(JSON.stringify(answer.body)).not.toContain('literal-sub-secret');
    expect(JSON.stringify((await call('GET', `/jobs/${answer.body?.['id']}`)).body)).not.toContain('literal-sub-secret');
  }, 30_000);
});

describe('controlling jobs', () => {
  it('cancels a running job, refuses to delete it while active, and restarts it', async () => {
    const submitted = await call('POST', '/jobs', 'name: long\ntasks:\n  - name: wait\n    run: sleep 30\n');
    const id = submitted.body?.['id'];
    expect((await call('DELETE', `/jobs/${id}`)).status).toBe(409);
    expect(await call('PUT', `/jobs/${id}/cancel`)).toMatchObject({ status: 200, body: { status: 'OK' } });
    expect(await call('POST', `/jobs/${id}/cancel`)).toMatchObject({ status: 400, body: { message: 'job is not running' } });
    expect((await call('GET', `/jobs/${id}`)).body).toMatchObject({ state: 'CANCELLED' });
    expect(await call('PUT', `/jobs/${id}/restart`)).toMatchObject({ status: 200, body: { status: 'OK' } });
    expect((await call('GET', `/jobs/${id}`)).body).toMatchObject({ state: 'RUNNING' });
    expect((await call('PUT', `/jobs/${id}/restart`)).status).toBe(400);
    expect((await call('PUT', '/jobs/nope/restart')).status).toBe(404);
    await call('PUT', `/jobs/${id}/cancel`);
  }, 20_000);
});

describe('the service', () => {
  it('reports health and serves its OpenAPI document', async () => {
    expect(await call('GET', '/health')).toEqual({ status: 200, body: { status: 'UP', version: '0.1.0' } });
    const openapi = (await call('GET', '/openapi.json')).body!;
    expect(openapi['openapi']).toBe('3.1.0');
  });
});
