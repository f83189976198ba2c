/**
 * GET /metrics over real HTTP, on PostgreSQL and PGlite, with a coordinator and a shell worker in
 * the process: Tork's JSON exactly, the Prometheus text as Prometheus reads it, content negotiation,
 * and no secret in either.
 */
import { metricsSchema } from '@twerk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../api/testing.ts';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import type { Engine } from '../engine/engine.ts';
import { addJob, until } from '../engine/testing-rows.ts';
import { MetricsRegistry } from './registry.ts';
import { parseExposition, seriesKey, type Exposition } from './testing-exposition.ts';

const SCRAPER_ACCEPT = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const SECRET = 'metrics-s3cret-7d41c9';

describe.each(TEST_BACKENDS)('GET /metrics on %s', (_backend, createDatabase) => {
  let test: TestDatabase;
  let api: TestApi;
  let engine: Engine;
  let base: string;

  beforeAll(async () => {
    test = await createDatabase();
    const metrics = new MetricsRegistry();
    api = await startTestApi(test, { nodeId: `metrics-${_backend}`, engine: { observer: metrics.observer }, app: { version: '0.1.0', metrics } });
    ({ engine, base } = api);
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await test?.dispose();
  });

  const get = async (path: string, accept?: string) => {
    const response = await fetch(`${base}${path}`, accept === undefined ? {} : { headers: { accept } });
    return { status: response.status, type: response.headers.get('content-type') ?? '', vary: response.headers.get('vary'), text: await response.text() };
  };
  const scrape = async (): Promise<Exposition & { text: string }> => {
    const answer = await get('/metrics', SCRAPER_ACCEPT);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    return { ...parseExposition(answer.text), text: answer.text };
  };
  const submit = async (job: object) => {
    const response = await fetch(`${base}/jobs?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(job) });
    return (await response.json()) as { id: string; state: string };
  };

  it('reports a few jobs (one failing) in the Prometheus text format, and no secret', async () => {
    const two = await submit({ name: 'two steps', tasks: [{ name: 'one', run: 'echo one' }, { name: 'two', run: 'echo two' }] });
    const failing = await submit({ name: 'failing', tasks: [{ name: 'boom', run: 'exit 3' }] });
    const secretive = await submit({ name: 'secretive', secrets: { token: SECRET }, inputs: { note: SECRET }, tasks: [{ name: 'uses it', env: { TOKEN: '{{ secrets.token }}' }, run: 'echo "$TOKEN" > /dev/null' }] });
    expect([two.state, failing.state, secretive.state]).toEqual(['COMPLETED', 'FAILED', 'COMPLETED']);

    // The counters move once the coordinator's transaction has committed, which the waiting request need not outlast.
    const { samples, families, text } = await until('the finished tasks to be counted', async () => {
      const exposition = await scrape();
      return exposition.samples.get(seriesKey('twerk_tasks_finished_total', { state: 'COMPLETED' })) === 3 ? exposition : undefined;
    });
    const value = (name: string, labels?: Record<string, string>) => samples.get(seriesKey(name, labels));
    expect(['PENDING', 'SCHEDULED', 'RUNNING', 'CANCELLED', 'COMPLETED', 'FAILED'].map((state) => value('twerk_jobs', { state }))).toEqual([0, 0, 0, 0, 2, 1]);
    expect(['CREATED', 'PENDING', 'SCHEDULED', 'RUNNING'].map((state) => value('twerk_tasks', { state }))).toEqual([0, 0, 0, 0]);
    expect(value('twerk_tasks_finished_total', { state: 'FAILED' })).toBe(1);
    expect([value('twerk_task_duration_seconds_count', { state: 'COMPLETED' }), value('twerk_task_duration_seconds_count', { state: 'FAILED' })]).toEqual([3, 1]);
    expect(value('twerk_task_duration_seconds_sum', { state: 'COMPLETED' })).toBeGreaterThan(0);
    expect(value('twerk_http_request_duration_seconds_count', { method: 'POST', route: '/jobs', status: '200' })).toBe(3);
    // The worker serves `default`: listed though empty.
    expect([value('twerk_queue_size', { queue: 'default' }), value('twerk_queue_unacked', { queue: 'default' })]).toEqual([0, 0]);
    expect(value('twerk_nodes_online')).toBe(1);
    expect(value('twerk_nodes_cpu_percent')).toBeGreaterThanOrEqual(0);
    for (const name of ['twerk_jobs', 'twerk_tasks', 'twerk_queue_size', 'twerk_nodes_online', 'twerk_tasks_finished_total', 'twerk_task_duration_seconds', 'twerk_http_request_duration_seconds', 'process_cpu_user_seconds_total']) {
      expect(families.get(name)?.help, name).toMatch(/\w/);
    }
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(two.id);
    expect((await get('/metrics')).text).not.toContain(SECRET);
  }, 60_000);

  it('labels requests with their route pattern, never the URL', async () => {
    const { id } = await submit({ name: 'looked at', tasks: [{ name: 't', run: 'true' }] });
    expect((await get(`/jobs/${id}`)).status).toBe(200);
    expect((await get(`/no/such/place-${id}`)).status).toBe(404);
    const { samples, text } = await scrape();
    expect(samples.get(seriesKey('twerk_http_request_duration_seconds_count', { method: 'GET', route: '/jobs/:id', status: '200' }))).toBe(1);
    expect(samples.get(seriesKey('twerk_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' }))).toBe(1);
    expect(text).not.toContain(id);
  }, 30_000);

  it.each([
    ['no Accept', undefined, '', 'json'],
    ['*/*', '*/*', '', 'json'],
    ['application/json', 'application/json', '', 'json'],
    ["axios's default", 'application/json, text/plain, */*', '', 'json'],
    ["a Prometheus scraper's", SCRAPER_ACCEPT, '', 'prometheus'],
    ['text/plain', 'text/plain', '', 'prometheus'],
    ['JSON preferred over text/plain', 'text/plain;q=0.5, application/json', '', 'json'],
    ['?format=prometheus over JSON', 'application/json', '?format=prometheus', 'prometheus'],
    ['?format=json over a scraper', SCRAPER_ACCEPT, '?format=json', 'json'],
  ] as const)('answers %s with %s', async (_what, accept, query, format) => {
    const answer = await get(`/metrics${query}`, accept);
    expect(answer.status).toBe(200);
    expect(answer.vary).toMatch(/accept/i);
    if (format === 'json') {
      expect(answer.type).toMatch(/^application\/json/);
      expect(metricsSchema.strict().safeParse(JSON.parse(answer.text)).success).toBe(true);
    } else {
      expect(answer.type).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(parseExposition(answer.text).samples.size).toBeGreaterThan(0);
    }
  });

  it('answers 400 for a format it does not know', async () => {
    const answer = await get('/metrics?format=xml');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ errors: [{ path: 'format' }] });
  });

  it("answers Tork's JSON exactly, counting only the running tasks of running jobs and the UP nodes", async () => {
    const { db } = test;
    await addJob(db, 'm-running', 'RUNNING');
    await addJob(db, 'm-failed', 'FAILED');
    const task = (id: string, job: string, state: string, queue: string) =>
      db.query('INSERT INTO twerk.tasks (id, job_id, position, state, spec, queue) VALUES ($1, $2, 1, $3, \'{}\', $4)', [id, job, state, queue]);
    await task('m-t1', 'm-running', 'RUNNING', 'metrics-q');
    await task('m-t2', 'm-running', 'RUNNING', 'metrics-q');
    await task('m-t3', 'm-running', 'SCHEDULED', 'metrics-q');
    await task('m-t4', 'm-running', 'SCHEDULED', 'x-private');
    await task('m-t5', 'm-failed', 'RUNNING', 'metrics-stale'); // left behind by a job that ended: not counted
    const node = (id: string, cpu: number, heartbeat: string, stopped: boolean) =>
      db.query(`INSERT INTO twerk.nodes (id, name, kind, version, queues, last_heartbeat_at, cpu_percent, stopped_at) VALUES ($1, $1, 'worker', '0.1.0', '{gpu}', now() - $2::interval, $3, ${stopped ? 'now()' : 'NULL'})`, [id, heartbeat, cpu]);
    await node('m-up', 30, '1 second', false);
    await node('m-silent', 90, '2 minutes', false); // OFFLINE in GET /nodes
    await node('m-stopped', 90, '1 second', true); // DOWN in GET /nodes

    const upInNodes = async () => ((await (await fetch(`${base}/nodes`)).json()) as { status: string }[]).filter((listed) => listed.status === 'UP').length;
    expect(await upInNodes()).toBe(2);
    const ownCpu = async () => (await db.query<{ cpu: number | null }>('SELECT cpu_percent AS cpu FROM twerk.nodes WHERE id = $1', [engine.nodeId])).rows[0]!.cpu ?? undefined;
    // This process heartbeats with its CPU use every few seconds: compare with a reading that held still around the request.
    const { body, cpu } = await until('a reading between two heartbeats', async () => {
      const before = await ownCpu();
      const answer = await get('/metrics', 'application/json');
      return before === (await ownCpu()) ? { body: JSON.parse(answer.text) as unknown, cpu: before } : undefined;
    });
    const cpuPercent = cpu === undefined ? 30 : (cpu + 30) / 2;
    expect(body).toEqual({ jobs: { running: 1 }, tasks: { running: 2 }, nodes: { online: 2, cpuPercent } });
    expect(metricsSchema.strict().parse(body)).toEqual(body);

    const { samples } = await scrape();
    const value = (name: string, labels?: Record<string, string>) => samples.get(seriesKey(name, labels));
    expect([value('twerk_jobs', { state: 'RUNNING' }), value('twerk_tasks', { state: 'RUNNING' }), value('twerk_tasks', { state: 'SCHEDULED' })]).toEqual([1, 2, 2]);
    expect([value('twerk_queue_size', { queue: 'metrics-q' }), value('twerk_queue_unacked', { queue: 'metrics-q' }), value('twerk_queue_unacked', { queue: 'metrics-stale' })]).toEqual([1, 2, 1]);
    expect(value('twerk_queue_size', { queue: 'gpu' })).toBe(0);
    expect([...samples.keys()].some((key) => key.includes('x-private'))).toBe(false);
    expect(value('twerk_nodes_online')).toBe(2);
  }, 30_000);
});
