/**
 * Webhooks end to end inside one process: jobs run on real shell processes, and their webhooks are
 * delivered over real HTTP to a receiver on 127.0.0.1, on PostgreSQL and on embedded PGlite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../cli/testing.ts';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import type { Engine } from '../engine/engine.ts';
import { shellRunner } from '../engine/shell-runner.ts';
import { engineOn, jobDocument } from '../engine/testing.ts';
import { deliveriesOfJob, type DeliveryRecord } from './store.ts';
import { startReceiver, type Receiver } from './testing.ts';

describe.each(TEST_BACKENDS)('webhooks on %s', (_name, create) => {
  let test: TestDatabase;
  let engine: Engine;
  let receiver: Receiver;
  const scratch = mkdtempSync(join(tmpdir(), 'twerk-webhooks-'));

  beforeAll(async () => {
    test = await create();
    receiver = await startReceiver();
    engine = await engineOn(test, { runner: shellRunner({ baseDir: scratch, logFlushMs: 50 }), queues: { default: 4 }, nodeId: 'webhook-node' }, {
      webhooks: { backoffInitialMs: 20, backoffMaxMs: 100, timeoutMs: 20_000 },
    });
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await receiver?.close();
    await test?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function completed(id: string): Promise<void> {
    const done = await engine.waitForJob(id, 30_000);
    if (done === 'timeout' || done === undefined || done.state !== 'COMPLETED') throw new Error(`job ${id} did not complete: ${done === 'timeout' ? 'timeout' : done?.state}`);
  }

  /** The job's deliveries once none is PENDING any more. */
  async function settledDeliveries(jobId: string, count: number): Promise<DeliveryRecord[]> {
    return until(
      `${count} settled deliveries of ${jobId}`,
      async () => {
        const deliveries = await deliveriesOfJob(test.db, jobId);
        return deliveries.length >= count && deliveries.every((delivery) => delivery.state !== 'PENDING') ? deliveries : undefined;
      },
      20_000,
      25,
    );
  }

  it('delivers job and task state changes in order, with rendered headers and redacted payloads', async () => {
    const id = await engine.submit(
      jobDocument(`name: hooked
inputs: { who: World }
secrets: { token: s3cret-value }
tasks:
  - name: greet
    var: greeting
    tags: [a]
    env: { TOKEN: "{{ secrets.token }}" }
    run: echo -n "hello $TOKEN" > $TWERK_OUTPUT
webhooks:
  - url: ${receiver.url}/job
    headers: { Authorization: "Bearer {{ secrets.token }}", X-Who: "{{ inputs.who }}" }
  - url: ${receiver.url}/task
    event: task.StateChange
`),
    );
    await completed(id);
    const jobCalls = await until('job webhooks', async () => (receiver.requests('/job').filter((call) => call.json.id === id).length >= 3 ? receiver.requests('/job').filter((call) => call.json.id === id) : undefined), 20_000, 25);
    expect(jobCalls.map((call) => call.json.state)).toEqual(['PENDING', 'RUNNING', 'COMPLETED']);
    const taskCalls = await until('task webhooks', async () => (receiver.requests('/task').filter((call) => call.json.jobId === id).length >= 3 ? receiver.requests('/task').filter((call) => call.json.jobId === id) : undefined), 20_000, 25);
    expect(taskCalls.map((call) => call.json.state)).toEqual(['SCHEDULED', 'RUNNING', 'COMPLETED']);

    const last = jobCalls[2]!;
    expect(last.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(last.headers['authorization']).toBe('Bearer s3cret-value');
    expect(last.headers['x-who']).toBe('World');
    expect(last.headers['x-twerk-event']).toBe('job.StateChange');
    expect(new Set(jobCalls.map((call) => call.headers['x-twerk-delivery'])).size).toBe(3);
    expect(last.json).toMatchObject({ id, name: 'hooked', state: 'COMPLETED', inputs: { who: 'World' }, position: 1, taskCount: 1, progress: 100 });
    expect(last.json.completedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const taskDone = taskCalls[2]!;
    expect(taskDone.headers['x-twerk-event']).toBe('task.StateChange');
    expect(taskDone.json).toMatchObject({ jobId: id, name: 'greet', state: 'COMPLETED', var: 'greeting', tags: ['a'], result: 'hello [REDACTED]', position: 1 });
    for (const call of [...jobCalls, ...taskCalls]) expect(call.body).not.toContain('s3cret-value');
    const stored = await settledDeliveries(id, 6);
    for (const delivery of stored) {
      expect(delivery).toMatchObject({ state: 'DELIVERED', attempts: 1, lastStatus: 200 });
      expect(JSON.stringify(delivery)).not.toContain('s3cret-value');
    }
  }, 40_000);

  /** Requests to `path` about job `id` (a job or a task payload), once there are `count`. */
  function callsAbout(path: string, id: string, count: number) {
    const about = () => receiver.requests(path).filter((call) => call.json?.id === id || call.json?.jobId === id);
    return until(`${count} calls to ${path} about ${id}`, async () => (about().length >= count ? about() : undefined), 20_000, 25);
  }

  it('filters on if, in Go or wire spelling, and fires the specific events for their states', async () => {
    const id = await engine.submit(
      jobDocument(`name: specific
tasks:
  - name: ok
    run: "true"
  - name: boom
    run: exit 3
webhooks:
  - { url: "${receiver.url}/if-go", if: "{{ job.State == 'FAILED' }}" }
  - { url: "${receiver.url}/if-wire", if: "{{ job.state == 'RUNNING' && job.position == 1 }}" }
  - { url: "${receiver.url}/if-broken", if: "{{ job.State }}" }
  - { url: "${receiver.url}/scheduled", event: job.Scheduled }
  - { url: "${receiver.url}/failed", event: job.Failed }
  - { url: "${receiver.url}/completed", event: job.Completed }
  - { url: "${receiver.url}/task-started", event: task.Started }
  - { url: "${receiver.url}/task-completed", event: task.Completed }
  - { url: "${receiver.url}/task-failed", event: task.Failed, if: "{{ task.Name == 'boom' && task.state == 'FAILED' }}" }
`),
    );
    const done = await engine.waitForJob(id, 30_000);
    expect(done !== 'timeout' && done?.state).toBe('FAILED');
    const deliveries = await settledDeliveries(id, 7);
    const paths = (webhook: number) => deliveries.filter((delivery) => delivery.webhook === webhook).map((delivery) => JSON.parse(delivery.payload).state);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map(paths)).toEqual([['FAILED'], ['RUNNING'], [], ['RUNNING'], ['FAILED'], [], ['RUNNING', 'RUNNING'], ['COMPLETED'], ['FAILED']]);
    expect((await callsAbout('/task-failed', id, 1))[0]!.json).toMatchObject({ name: 'boom', state: 'FAILED', exitCode: 3 });
    expect((await callsAbout('/task-started', id, 2)).map((call) => call.headers['x-twerk-event'])).toEqual(['task.Started', 'task.Started']);
    expect((await callsAbout('/failed', id, 1))[0]!.json).toMatchObject({ state: 'FAILED', error: expect.any(String) });
  }, 40_000);

  it('reports job.Progress as the job moves through its tasks', async () => {
    const id = await engine.submit(
      jobDocument(`name: progress
tasks:
  - { name: one, run: "true" }
  - { name: two, run: "true" }
  - { name: three, run: "true" }
  - { name: four, run: "true" }
webhooks:
  - { url: "${receiver.url}/progress", event: job.Progress }
`),
    );
    await completed(id);
    const deliveries = await settledDeliveries(id, 3);
    expect(deliveries.map((delivery) => JSON.parse(delivery.payload)).map((summary) => [summary.state, summary.progress])).toEqual([['RUNNING', 25], ['RUNNING', 50], ['RUNNING', 75]]);
    expect((await callsAbout('/progress', id, 3)).map((call) => call.headers['x-twerk-event'])).toEqual(['job.Progress', 'job.Progress', 'job.Progress']);
  }, 40_000);

  it('gives up at once on a 400, and retries a 503 until it is delivered', async () => {
    receiver.respond('/bad', () => 400);
    receiver.respond('/flaky', (index) => (index < 2 ? 503 : 204));
    const id = await engine.submit(
      jobDocument(`name: answers
tasks:
  - { name: one, run: "true" }
webhooks:
  - { url: "${receiver.url}/bad", event: job.Completed }
  - { url: "${receiver.url}/flaky", event: job.Completed }
`),
    );
    await completed(id);
    const deliveries = await settledDeliveries(id, 2);
    expect(deliveries.map((delivery) => [delivery.webhook, delivery.state, delivery.attempts, delivery.lastStatus])).toEqual([[0, 'FAILED', 1, 400], [1, 'DELIVERED', 3, 204]]);
    expect(deliveries[0]!.lastError).toBe('the receiver answered 400');
    expect(receiver.requests('/bad').filter((call) => call.json.id === id)).toHaveLength(1);
    const flaky = receiver.requests('/flaky').filter((call) => call.json.id === id);
    expect(flaky).toHaveLength(3);
    expect(new Set(flaky.map((call) => call.headers['x-twerk-delivery']))).toEqual(new Set([deliveries[1]!.id]));
  }, 40_000);

  it('never lets a receiver that hangs hold the job up', async () => {
    receiver.respond('/hang', () => 'hang');
    const id = await engine.submit(
      jobDocument(`name: hanging receiver
tasks:
  - { name: one, run: "true" }
  - { name: two, run: "true" }
webhooks:
  - { url: "${receiver.url}/hang" }
`),
    );
    // The first call (PENDING) hangs, and the later ones wait behind it; the job goes on regardless.
    await callsAbout('/hang', id, 1);
    await completed(id);
    expect(receiver.requests('/hang').filter((call) => call.json.id === id)).toHaveLength(1);
    const deliveries = await until('the three deliveries', async () => {
      const found = await deliveriesOfJob(test.db, id);
      return found.length === 3 ? found : undefined;
    }, 20_000, 25);
    expect(deliveries.map((delivery) => [delivery.state, delivery.attempts, JSON.parse(delivery.payload).state])).toEqual([
      ['PENDING', 1, 'PENDING'],
      ['PENDING', 0, 'RUNNING'],
      ['PENDING', 0, 'COMPLETED'],
    ]);
  }, 40_000);

  it("delivers a sub-job's own webhooks", async () => {
    const id = await engine.submit(
      jobDocument(`name: parent
tasks:
  - name: child
    subjob:
      name: the child
      tasks:
        - { name: inner, run: "true" }
      webhooks:
        - { url: "${receiver.url}/sub", event: job.Completed }
`),
    );
    await completed(id);
    const call = await until('the sub-job webhook', async () => receiver.requests('/sub').find((item) => item.json.name === 'the child' && item.json.parentId !== undefined), 20_000, 25);
    expect(call.json).toMatchObject({ state: 'COMPLETED', name: 'the child' });
    expect(await deliveriesOfJob(test.db, id)).toEqual([]);
  }, 40_000);
});
