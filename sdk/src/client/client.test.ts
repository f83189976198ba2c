/** The client against a real server: `twerk server start standalone` as its own process. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type LogPart, type TwerkClient } from './client.ts';
import { TwerkApiError, TwerkTimeoutError } from './errors.ts';
import { startTestServer, type TestServer } from './testing.ts';

let server: TestServer;
let client: TwerkClient;

beforeAll(async () => {
  server = await startTestServer();
  client = createClient({ baseUrl: server.baseUrl });
}, 90_000);

afterAll(async () => {
  client?.close();
  await server?.stop();
});

const hello = {
  name: 'hello',
  output: '{{ tasks.greeting }}',
  tasks: [{ name: 'greet', var: 'greeting', run: 'printf hello > "$TWERK_OUTPUT"' }],
};

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('jobs', { timeout: 30_000 }, () => {
  it('submits a job and waits for it to complete with its result', async () => {
    const summary = await client.jobs.submit(hello);
    expect(summary).toMatchObject({ name: 'hello', state: 'PENDING' });
    const job = await client.jobs.wait(summary.id, { timeout: 20_000, pollMs: 50 });
    expect(job).toMatchObject({ id: summary.id, state: 'COMPLETED', result: 'hello' });
    expect(job.execution.map((task) => task.state)).toEqual(['COMPLETED']);
  });

  it('submits and waits in one call, reporting every look at the job', async () => {
    const seen: string[] = [];
    const job = await client.jobs.submitAndWait(hello, { timeout: 20_000, pollMs: 50, onUpdate: (update) => seen.push(update.state) });
    expect(job.state).toBe('COMPLETED');
    expect(job.result).toBe('hello');
    expect(seen.at(-1)).toBe('COMPLETED');
  });

  it('answers FAILED jobs as jobs, not errors', async () => {
    const job = await client.jobs.submitAndWait({ name: 'fails', tasks: [{ name: 'boom', run: 'echo no >&2; exit 3' }] }, { timeout: 20_000, pollMs: 50 });
    expect(job.state).toBe('FAILED');
    expect(job.error).toBeTruthy();
  });

  it('sends YAML text as it is and can let the server wait', async () => {
    const job = await client.jobs.submitDocument('name: from yaml\noutput: "{{ tasks.x }}"\ntasks:\n  - name: x\n    var: x\n    run: printf yes > "$TWERK_OUTPUT"\n', { wait: true });
    expect(job).toMatchObject({ name: 'from yaml', state: 'COMPLETED', result: 'yes' });
    const summary = await client.jobs.submitDocument(JSON.stringify({ name: 'from json', tasks: [{ name: 'x', run: 'true' }] }));
    expect(summary).toMatchObject({ name: 'from json', state: 'PENDING' });
  });

  it('surfaces the field errors of a 400 with their paths', async () => {
    const error = await caught(client.jobs.submit({ name: 'bad', tasks: [{ name: 't', run: 'true', retry: { limit: 50 } }] }));
    expect(error).toBeInstanceOf(TwerkApiError);
    const apiError = error as TwerkApiError;
    expect(apiError.status).toBe(400);
    expect(apiError.errors).toContainEqual({ path: 'tasks[0].retry.limit', message: 'must be at most 10' });
    expect(apiError.message).toContain('tasks[0].retry.limit');
  });

  it('keeps the document boundary errors of raw text, such as duplicate keys', async () => {
    const error = (await caught(client.jobs.submitDocument('name: a\nname: b\ntasks: []\n'))) as TwerkApiError;
    expect(error).toBeInstanceOf(TwerkApiError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('duplicate_key');
    expect(error.errors.map((item) => item.path)).toContain('name');
  });

  it('throws a 404 for a job that does not exist, and the raw client answers it typed', async () => {
    const error = (await caught(client.jobs.get('no-such-job'))) as TwerkApiError;
    expect(error).toBeInstanceOf(TwerkApiError);
    expect(error.status).toBe(404);
    expect(error.message).toBe('job not found');
    const answer = await client.api.jobs.get({ params: { id: 'no-such-job' } });
    expect(answer.status).toBe(404);
    if (answer.status === 404) expect(answer.body.message).toBe('job not found');
  });

  it('cancels a running job, restarts it, and deletes it once finished', async () => {
    const { id } = await client.jobs.submit({ name: 'long', tasks: [{ name: 'sleep', run: 'sleep 30' }] });
    await expect.poll(async () => (await client.jobs.get(id)).state, { timeout: 10_000 }).toBe('RUNNING');
    await expect(client.jobs.delete(id)).rejects.toMatchObject({ status: 409 });
    await client.jobs.cancel(id);
    expect((await client.jobs.wait(id, { timeout: 10_000, pollMs: 50 })).state).toBe('CANCELLED');
    await expect(client.jobs.cancel(id)).rejects.toMatchObject({ status: 400 });
    await client.jobs.restart(id);
    expect((await client.jobs.get(id)).state).not.toBe('CANCELLED');
    await client.jobs.cancel(id);
    await client.jobs.wait(id, { timeout: 10_000, pollMs: 50 });
    await client.jobs.delete(id);
    await expect(client.jobs.get(id)).rejects.toMatchObject({ status: 404 });
  });

  it('gives up waiting with a TwerkTimeoutError that says where the job was', async () => {
    const { id } = await client.jobs.submit({ name: 'slow', tasks: [{ name: 'sleep', run: 'sleep 5' }] });
    const error = await caught(client.jobs.wait(id, { timeout: 300, pollMs: 50 }));
    expect(error).toBeInstanceOf(TwerkTimeoutError);
    expect((error as TwerkTimeoutError).jobId).toBe(id);
    await client.jobs.cancel(id);
  });

  it('walks every page of the job list once', async () => {
    const tag = `page-walk-${Date.now()}`;
    const ids = new Set<string>();
    for (let index = 0; index < 23; index++) ids.add((await client.jobs.submit({ name: `many ${index}`, tags: [tag], tasks: [{ name: 't', run: 'true' }] })).id);
    const first = await client.jobs.list({ q: `tag:${tag}`, size: 10 });
    expect(first.totalItems).toBe(23);
    expect(first.totalPages).toBe(3);
    const walked: string[] = [];
    for await (const job of client.jobs.all({ q: `tag:${tag}` })) walked.push(job.id);
    expect(walked).toHaveLength(23);
    expect(new Set(walked)).toEqual(ids);
  });
});

describe('logs', { timeout: 30_000 }, () => {
  it('follows a running job: every line once, in order, and ends when the job does', async () => {
    const { id } = await client.jobs.submit({ name: 'talks', tasks: [{ name: 'count', run: 'for i in 1 2 3 4 5; do echo line $i; sleep 0.3; done' }] });
    const parts: LogPart[] = [];
    let sawRunning = false;
    for await (const part of client.jobs.logs(id, { follow: true, pollMs: 100, pageSize: 2 })) {
      if (parts.length === 0) sawRunning = (await client.jobs.get(id)).state === 'RUNNING';
      parts.push(part);
    }
    expect(sawRunning).toBe(true);
    expect(parts.length).toBeGreaterThan(1);
    expect(new Set(parts.map((part) => part.id)).size).toBe(parts.length);
    expect(parts.map((part) => part.contents).join('')).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
    expect((await client.jobs.get(id)).state).toBe('COMPLETED');
  });

  it('reads a finished log oldest first across pages', async () => {
    const job = await client.jobs.submitAndWait({ name: 'chatty', tasks: [{ name: 'count', run: 'for i in $(seq 1 30); do echo line $i; sleep 0.02; done' }] }, { timeout: 20_000, pollMs: 50 });
    const first = await client.api.jobs.log({ params: { id: job.id }, query: { size: 1 } });
    if (first.status !== 200) throw new Error(`the log answered ${first.status}`);
    expect(first.body.totalPages).toBeGreaterThan(1);
    const lines: string[] = [];
    for await (const part of client.jobs.logs(job.id, { pageSize: 1 })) lines.push(part.contents);
    expect(lines).toHaveLength(first.body.totalItems);
    expect(lines.join('')).toBe(Array.from({ length: 30 }, (_, index) => `line ${index + 1}\n`).join(''));
    const task = job.execution[0]!;
    expect((await client.tasks.get(task.id)).state).toBe('COMPLETED');
    expect((await client.tasks.log(task.id, { size: 5 })).items.length).toBeLessThanOrEqual(5);
  });
});

describe('the system routes', { timeout: 30_000 }, () => {
  it('answer health, nodes and queues', async () => {
    expect(await client.health()).toMatchObject({ status: 'UP' });
    const nodes = await client.nodes.list();
    expect(nodes.length).toBeGreaterThan(0);
    expect((await client.nodes.get(nodes[0]!.id)).id).toBe(nodes[0]!.id);
    const queues = await client.queues.list();
    expect(queues.map((queue) => queue.name)).toContain('default');
    expect((await client.queues.get('default')).name).toBe('default');
    await expect(client.queues.get('no-such-queue')).rejects.toMatchObject({ status: 404 });
  });
});

describe('scheduled jobs', { timeout: 30_000 }, () => {
  it('schedule a job, list it, pause, resume and delete it', async () => {
    const created = await client.scheduledJobs.create({ ...hello, schedule: { cron: '0 3 * * *', timezone: 'Europe/Paris' }, secrets: { key: 'scheduled-secret' } });
    expect(created).toMatchObject({ name: 'hello', state: 'ACTIVE', cron: '0 3 * * *', timezone: 'Europe/Paris' });
    const shown = await client.scheduledJobs.get(created.id);
    expect(shown.secrets).toEqual({ key: '[REDACTED]' });
    const everything: string[] = [];
    for await (const schedule of client.scheduledJobs.all()) everything.push(schedule.id);
    expect(everything).toContain(created.id);
    await client.scheduledJobs.pause(created.id);
    expect(await client.scheduledJobs.get(created.id)).toMatchObject({ state: 'PAUSED' });
    expect(await caught(client.scheduledJobs.pause(created.id))).toMatchObject({ status: 400 });
    await client.scheduledJobs.resume(created.id);
    await client.scheduledJobs.delete(created.id);
    expect(await caught(client.scheduledJobs.get(created.id))).toMatchObject({ status: 404 });
  });
});

describe('triggers', { timeout: 30_000 }, () => {
  it('create a trigger, publish an event once per idempotency key, fire it by hand and read its firings', async () => {
    const trigger = await client.triggers.create({ id: 'sdk-trigger', name: 'sdk', enabled: true, event: 'sdk.greet', job: hello });
    expect(trigger).toMatchObject({ id: 'sdk-trigger', version: 1 });
    const published = await client.triggers.publish('sdk.greet', { who: 'sdk' }, { idempotencyKey: 'greet-1' });
    expect(published.jobs).toHaveLength(1);
    const again = await client.triggers.publish('sdk.greet', { who: 'sdk' }, { idempotencyKey: 'greet-1' });
    expect(again.jobs).toEqual([{ ...published.jobs[0], duplicate: true }]);
    const job = await client.jobs.wait(published.jobs[0]!.jobId, { timeout: 20_000, pollMs: 50 });
    expect(job).toMatchObject({ state: 'COMPLETED', result: 'hello', inputs: { who: 'sdk' } });
    const fired = await client.triggers.fire('sdk-trigger');
    expect(fired.jobs[0]!.jobId).not.toBe(published.jobs[0]!.jobId);
    const firings = await client.triggers.firings('sdk-trigger');
    expect(firings.items.map((firing) => firing.source).sort()).toEqual(['event', 'manual']);
    const updated = await client.triggers.update('sdk-trigger', { name: 'sdk', enabled: false, event: 'sdk.greet', job: hello, version: 1 });
    expect(updated.version).toBe(2);
    expect(await caught(client.triggers.fire('sdk-trigger'))).toMatchObject({ status: 409 });
    await client.triggers.delete('sdk-trigger');
    expect(await caught(client.triggers.get('sdk-trigger'))).toMatchObject({ status: 404 });
  });
});
