/**
 * The HTTP worker protocol over real HTTP, on PostgreSQL and PGlite, with a coordinator and no native
 * worker: the test plays the worker, running the commands it is given with `sh -c` as seed 004's do.
 */
import { execFile } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import { getJob } from '../datastore/jobs.ts';
import { tasksOfJob } from '../datastore/tasks.ts';
import type { Engine } from '../engine/engine.ts';
import { engineOn, jobDocument } from '../engine/testing.ts';
import { buildApp } from './app.ts';

function sh(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => execFile('sh', ['-c', command], (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })));
}

/** A coordinator (no native worker) and its API on a test database, for the life of a describe block. */
function serve(create: () => Promise<TestDatabase>, workerToken?: string) {
  const served = {} as { test: TestDatabase; engine: Engine; app: FastifyInstance; base: string };
  beforeAll(async () => {
    served.test = await create();
    served.engine = await engineOn(served.test, undefined, { maintenanceIntervalMs: 100 });
    served.app = await buildApp({ engine: served.engine, version: '0.1.0', ...(workerToken !== undefined ? { workerToken } : {}) });
    served.base = await served.app.listen({ host: '127.0.0.1', port: 0 });
  }, 60_000);
  afterAll(async () => {
    await served.app?.close();
    await served.engine?.stop();
    await served.test?.dispose();
  });
  return served;
}

describe.each(TEST_BACKENDS)('the HTTP worker protocol on %s', (_name, create) => {
  const served = serve(create);
  let test: TestDatabase;
  let engine: Engine;
  let base: string;
  beforeAll(() => ({ test, engine, base } = served));

  async function post(path: string, body?: unknown) {
    const response = await fetch(`${base}${path}`, { method: 'POST', ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as any) };
  }
  async function get(path: string) {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, body: (await response.json()) as any };
  }
  const claim = (labels: string[], extra: Record<string, unknown> = {}) => post('/api/jobs/claim', { worker_id: `w-${labels.join('-')}`, labels, lease_ttl_secs: 30, ...extra });
  const submit = (yaml: string) => engine.submit(jobDocument(yaml));

  it('answers null when there is nothing to do, and registers and lists workers', async () => {
    expect((await post('/api/workers/register', { worker_id: 'w-idle', labels: ['nothing-here'] })).body).toMatchObject({ worker_id: 'w-idle', labels: ['nothing-here'], status: 'idle' });
    expect(await claim(['nothing-here'])).toEqual({ status: 200, body: null });
    expect((await get('/api/workers')).body).toEqual(expect.arrayContaining([expect.objectContaining({ worker_id: 'w-idle', status: 'idle', current_job: null })]));
    expect((await post('/api/workers/w-idle/heartbeat')).status).toBe(200);
    expect((await post('/api/workers/nobody/heartbeat')).status).toBe(404);
  });

  it('runs a job on a long-polling worker: command, logs, set-output lines, outputs upstream, result', async () => {
    const waiting = claim(['pipeline'], { wait_secs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the claim is waiting now
    const id = await submit(`name: over http
output: "{{ tasks.second }}"
tasks:
  - name: first
    queue: pipeline
    var: first
    env: { WHO: "it's me" }
    files: { greeting.txt: hello }
    run: 'echo "::set-output version=1.2.3"; echo -n "$(cat greeting.txt), $WHO" > $TWERK_OUTPUT'
  - name: second
    queue: pipeline
    var: second
    env: { PREV: "{{ tasks.first }}" }
    run: 'echo -n "$PREV!" > $TWERK_OUTPUT'
`);
    const first = await waiting;
    expect(first.status).toBe(200);
    expect(first.body.job).toMatchObject({ workflow_id: id, required_labels: ['pipeline'], attempt: 0, env: { WHO: "it's me" } });
    expect(first.body.lease).toMatchObject({ job_id: first.body.job.job_id, workflow_id: id, worker_id: 'w-pipeline', ttl_secs: 30, fencing_token: 1 });
    const run = await sh(first.body.job.command);
    expect(run.code).toBe(0);
    const lease = first.body.lease.lease_id as string;
    const chunk = { workflow_id: id, job_id: first.body.job.job_id, sequence: 0, data: run.stdout, timestamp_ms: Date.now(), stream: 'stdout' };
    expect((await post(`/api/jobs/${lease}/logs`, { chunks: [chunk] })).body).toEqual({ accepted: 1 });
    expect((await post(`/api/jobs/${lease}/logs`, { chunks: [chunk] })).body).toEqual({ accepted: 0 }); // a retried push appends nothing twice
    expect(await post(`/api/jobs/${lease}/complete`, { outputs: { extra: 'yes' } })).toEqual({ status: 200, body: { status: 'OK' } });
    expect(await post(`/api/jobs/${lease}/complete`, { outputs: {} })).toEqual({ status: 200, body: { status: 'OK' } }); // idempotent

    const second = await claim(['pipeline'], { wait_secs: 10 });
    expect(second.body.job.upstream_outputs).toEqual({ [first.body.job.job_id]: { version: '1.2.3', extra: 'yes' } });
    expect(second.body.job.env).toEqual({ PREV: "hello, it's me" });
    await sh(second.body.job.command).then((done) => post(`/api/jobs/${second.body.lease.lease_id}/logs`, { chunks: [{ ...chunk, job_id: second.body.job.job_id, data: done.stdout }] }));
    expect((await post(`/api/jobs/${second.body.lease.lease_id}/complete`, { outputs: {} })).status).toBe(200);
    const done = await engine.waitForJob(id, 10_000);
    expect(done).toMatchObject({ state: 'COMPLETED', result: "hello, it's me!" });
    const logs = await test.db.query<{ contents: string }>('SELECT contents FROM twerk.task_log_parts WHERE task_id = $1', [first.body.job.job_id]);
    expect(logs.rows.map((row) => row.contents).join('')).toContain('::set-output version=1.2.3');
    expect(logs.rows.map((row) => row.contents).join('')).not.toContain('TWERK_RESULT_BASE64');
  });

  it('tells a heartbeat that the task was cancelled, then refuses its completion', async () => {
    const id = await submit('name: to cancel\ntasks:\n  - { name: t, queue: cancelling, run: sleep 30 }\n');
    const claimed = await claim(['cancelling'], { wait_secs: 10 });
    const lease = claimed.body.lease.lease_id as string;
    const beat = await post(`/api/jobs/${lease}/heartbeat`);
    expect(beat.body).toMatchObject({ lease_id: lease, cancel: false });
    expect(new Date(beat.body.expires_at).getTime()).toBeGreaterThanOrEqual(new Date(claimed.body.lease.expires_at).getTime());
    expect(await get(`/api/jobs/${id}/${claimed.body.job.job_id}/cancelled`)).toEqual({ status: 200, body: false });
    expect(await engine.cancel(id)).toBe('cancelled');
    expect((await post(`/api/jobs/${lease}/heartbeat`)).body).toMatchObject({ cancel: true });
    expect(await get(`/api/jobs/${id}/${claimed.body.job.job_id}/cancelled`)).toEqual({ status: 200, body: true });
    expect((await post(`/api/jobs/${lease}/complete`, { outputs: {} })).status).toBe(409);
    expect((await get(`/api/jobs/${id}/nope/cancelled`)).status).toBe(404);
  });

  it('retries a retryable failure as a new attempt with a higher fencing token, and not a permanent one', async () => {
    const id = await submit('name: flaky\ntasks:\n  - { name: t, queue: failing, retry: { limit: 1, initialDelay: 10ms }, run: exit 1 }\n');
    const first = await claim(['failing'], { wait_secs: 10 });
    expect(await post(`/api/jobs/${first.body.lease.lease_id}/fail`, { error: 'flaky network', retryable: true })).toEqual({ status: 200, body: { status: 'OK', retry: true } });
    expect(await post(`/api/jobs/${first.body.lease.lease_id}/fail`, { error: 'flaky network', retryable: true })).toEqual({ status: 200, body: { status: 'OK', retry: true } }); // idempotent
    const second = await claim(['failing'], { wait_secs: 10 });
    expect(second.body.lease.fencing_token).toBe(2);
    expect(await post(`/api/jobs/${second.body.lease.lease_id}/fail`, { error: 'bad config', retryable: false })).toEqual({ status: 200, body: { status: 'OK', retry: false } });
    expect(await engine.waitForJob(id, 10_000)).toMatchObject({ state: 'FAILED', error: 'bad config' });

    const permanent = await submit('name: permanent\ntasks:\n  - { name: t, queue: failing, retry: { limit: 3 }, run: exit 1 }\n');
    const claimed = await claim(['failing'], { wait_secs: 10 });
    expect((await post(`/api/jobs/${claimed.body.lease.lease_id}/fail`, { error: 'missing dependency' })).body).toEqual({ status: 'OK', retry: false });
    expect(await engine.waitForJob(permanent, 10_000)).toMatchObject({ state: 'FAILED', error: 'missing dependency' });
  });

  it('ends a lease that is not renewed, runs the task again, and refuses the late worker', async () => {
    const id = await submit('name: lease expiry\ntasks:\n  - { name: t, queue: expiring, var: v, run: echo -n again > $TWERK_OUTPUT }\noutput: "{{ tasks.v }}"\n');
    const stale = await claim(['expiring'], { lease_ttl_secs: 5, wait_secs: 10 });
    const lease = stale.body.lease.lease_id as string;
    const renewed = await claim(['expiring'], { wait_secs: 15 }); // waits for the stale lease to run out and the task to come back
    expect(renewed.body.lease.fencing_token).toBe(2);
    expect((await post(`/api/jobs/${lease}/heartbeat`)).status).toBe(409);
    expect((await post(`/api/jobs/${lease}/logs`, { chunks: [{ workflow_id: id, job_id: stale.body.job.job_id, sequence: 0, data: 'late', timestamp_ms: 0, stream: 'stdout' }] })).status).toBe(409);
    expect((await post(`/api/jobs/${lease}/complete`, { outputs: {} })).status).toBe(409);
    expect((await post(`/api/jobs/${lease}/fail`, { error: 'late' })).status).toBe(409);
    const run = await sh(renewed.body.job.command);
    await post(`/api/jobs/${renewed.body.lease.lease_id}/logs`, { chunks: [{ workflow_id: id, job_id: renewed.body.job.job_id, sequence: 0, data: run.stdout, timestamp_ms: 0, stream: 'stdout' }] });
    expect((await post(`/api/jobs/${renewed.body.lease.lease_id}/complete`, { outputs: {} })).status).toBe(200);
    expect(await engine.waitForJob(id, 10_000)).toMatchObject({ state: 'COMPLETED', result: 'again' });
    expect((await tasksOfJob(test.db, id)).map((task) => [task.attempt, task.state])).toEqual([[1, 'FAILED'], [2, 'COMPLETED']]);
  }, 40_000);

  it('hands out the highest priority first, then the longest waiting', async () => {
    const ids: Record<string, string> = {};
    for (const [name, priority] of [['low', 1], ['high', 9], ['middle', 5], ['high too', 9]] as const) {
      ids[name] = await submit(`name: ${name}\ntasks:\n  - { name: ${JSON.stringify(name)}, queue: ranked, priority: ${priority}, run: "true" }\n`);
      for (let tries = 0; (await tasksOfJob(test.db, ids[name]!)).length === 0 && tries < 200; tries += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const order: string[] = [];
    for (let round = 0; round < 4; round += 1) order.push((await claim(['ranked'])).body.job.workflow_id);
    expect(order).toEqual([ids['high'], ids['high too'], ids['middle'], ids['low']]);
  });

  it('answers 404 for an unknown lease and 400 naming the field for a bad claim', async () => {
    expect((await post('/api/jobs/no-such-lease/heartbeat')).status).toBe(404);
    expect((await post('/api/jobs/no-such-lease/complete', { outputs: {} })).status).toBe(404);
    const bad = await post('/api/jobs/claim', { worker_id: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'labels' })]));
    const notJson = await fetch(`${base}/api/jobs/claim`, { method: 'POST', body: '{nope', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
  });

  it('shows nodes and queues, and purges a queue by failing what waits in it', async () => {
    const nodes = (await get('/nodes')).body as { id: string; kind: string; status: string }[];
    expect(nodes).toEqual(expect.arrayContaining([expect.objectContaining({ id: engine.nodeId, kind: 'coordinator', status: 'UP' }), expect.objectContaining({ id: 'w-pipeline', kind: 'http', status: 'UP' })]));
    expect((await get(`/nodes/${engine.nodeId}`)).body).toMatchObject({ id: engine.nodeId, version: '0.1.0' });
    expect((await get('/nodes/none')).status).toBe(404);
    const id = await submit('name: stuck\ntasks:\n  - { name: t, queue: unserved, run: "true" }\n');
    await post('/api/workers/register', { worker_id: 'w-unserved', labels: ['unserved'] });
    for (let tries = 0; (await tasksOfJob(test.db, id)).length === 0 && tries < 200; tries += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    expect((await get('/queues/unserved')).body).toEqual({ name: 'unserved', size: 1, unacked: 0, subscribers: 1 });
    expect((await fetch(`${base}/queues/unserved`, { method: 'DELETE' })).status).toBe(200);
    expect(await engine.waitForJob(id, 10_000)).toMatchObject({ state: 'FAILED', error: 'removed from queue unserved when it was purged' });
    expect((await fetch(`${base}/queues/twerk.jobs`, { method: 'DELETE' })).status).toBe(400);
    expect((await get('/queues/never-heard-of')).status).toBe(404);
    expect((await getJob(test.db, id))?.state).toBe('FAILED');
  });
});

describe('the HTTP worker protocol with a worker token', () => {
  const served = serve(TEST_BACKENDS[1][1], 's3cret-token');

  it('refuses worker calls without the token and takes it as a bearer token or X-Worker-Token', async () => {
    const { base } = served;
    const body = JSON.stringify({ worker_id: 'w', labels: [] });
    const headers = { 'content-type': 'application/json' };
    expect((await fetch(`${base}/api/workers/register`, { method: 'POST', body, headers })).status).toBe(401);
    expect((await fetch(`${base}/api/workers/register`, { method: 'POST', body, headers: { ...headers, authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${base}/api/workers/register`, { method: 'POST', body, headers: { ...headers, authorization: 'Bearer s3cret-token' } })).status).toBe(200);
    expect((await fetch(`${base}/api/workers`, { headers: { 'x-worker-token': 's3cret-token' } })).status).toBe(200);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
