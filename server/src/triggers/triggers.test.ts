/**
 * Triggers end to end over real HTTP, on both backends: Twerk's CRUD with its validation, versions and
 * error kinds; events that fire only the matching enabled triggers whose condition holds; idempotency
 * keys; inbound webhooks that must be signed; cron triggers; and the record of every firing.
 */
import { createHmac } from 'node:crypto';
import { firingSchema, triggerSchema } from '@twerk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../api/testing.ts';
import { until } from '../cli/testing.ts';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';

const SECRET = 'a-long-shared-secret-for-hooks';

describe.each(TEST_BACKENDS)('triggers on %s', (_name, open) => {
  let test: TestDatabase;
  let api: TestApi;
  let base: string;

  beforeAll(async () => {
    test = await open();
    api = await startTestApi(test, { nodeId: `triggers-${_name}`, slots: 4 });
    base = api.base;
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await test?.dispose();
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, any>) };
  }

  const echoJob = { name: 'echo', output: '{{ tasks.said }}', tasks: [{ name: 'say', var: 'said', run: 'echo -n "$V" > $TWERK_OUTPUT', env: { V: '{{ inputs.version }}' } }] };

  async function jobResult(id: string): Promise<Record<string, unknown>> {
    return until(`job ${id} to finish`, async () => {
      const job = await call('GET', `/jobs/${id}`);
      return job.body && ['COMPLETED', 'FAILED'].includes(job.body['state'] as string) ? job.body : undefined;
    }, 20_000);
  }

  describe('CRUD', () => {
    it('creates, reads, replaces with a version and deletes', async () => {
      const created = await call('POST', '/triggers', { id: 'on-deploy', name: '  on deploy  ', enabled: true, event: 'deploy', job: echoJob, metadata: { team: 'ops' } });
      expect(created.status).toBe(201);
      expect(triggerSchema.safeParse(created.body).success).toBe(true);
      expect(created.body).toMatchObject({ id: 'on-deploy', name: 'on deploy', version: 1, event: 'deploy' });

      const legacy = await call('GET', '/api/v1/triggers/on-deploy');
      expect(legacy.body).toMatchObject({ id: 'on-deploy', version: 1 });

      const updated = await call('PUT', '/triggers/on-deploy', { name: 'on deploy', enabled: false, event: 'deploy', job: echoJob, version: 1 });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ version: 2, enabled: false });
      expect(updated.body).not.toHaveProperty('metadata');

      const stale = await call('PUT', '/triggers/on-deploy', { name: 'x', enabled: true, event: 'deploy', job: echoJob, version: 1 });
      expect(stale).toMatchObject({ status: 409, body: { error: 'VersionConflict', message: 'stale version supplied' } });
      expect((await call('PUT', '/triggers/on-deploy', { name: 'x', enabled: true, job: echoJob, version: 0 })).status).toBe(409);
      expect(await call('PUT', '/triggers/on-deploy', { id: 'other', name: 'x', enabled: true, job: echoJob })).toMatchObject({ status: 400, body: { error: 'IdMismatch' } });
      expect(await call('PUT', '/triggers/missing', { name: 'x', enabled: true, job: echoJob })).toMatchObject({ status: 404, body: { error: 'TriggerNotFound' } });
      expect((await call('POST', '/triggers', { id: 'on-deploy', name: 'again', enabled: true, job: echoJob })).status).toBe(409);

      const listed = await call('GET', '/triggers');
      expect((listed.body as unknown as { id: string }[]).map((trigger) => trigger.id)).toContain('on-deploy');
      expect((await call('DELETE', '/triggers/on-deploy')).status).toBe(204);
      expect((await call('GET', '/triggers/on-deploy')).status).toBe(404);
      expect((await call('DELETE', '/triggers/on-deploy')).status).toBe(404);
    });

    it('gives a short id when none is given', async () => {
      const created = await call('POST', '/triggers', { name: 'anonymous', enabled: true, job: echoJob });
      expect(created.body!['id']).toMatch(/^[A-Za-z0-9_-]{3,64}$/);
      await call('DELETE', `/triggers/${created.body!['id']}`);
    });

    it.each([
      [{ enabled: true, job: echoJob }, 'name'],
      [{ name: '   ', enabled: true, job: echoJob }, 'name'],
      [{ name: 'x', job: echoJob }, 'enabled'],
      [{ id: 'a!', name: 'x', enabled: true }, 'id'],
      [{ name: 'x', enabled: true, job: { name: 'j', tasks: [{ name: 't', run: 'true', retry: { limit: 99 } }] } }, 'job.tasks.0.retry.limit'],
      [{ name: 'x', enabled: true, hookPath: 'gh' }, 'secret'],
      [{ name: 'x', enabled: true, cron: 'every day' }, 'cron'],
      [{ name: 'x', enabled: true, condition: 'payload.a ==' }, 'condition'],
      [{ name: 'x', enabled: true, unknown: 1 }, ''],
      [{ name: 'x', enabled: true, metadata: { '': 'v' } }, 'metadata'],
    ])('refuses %j naming %s', async (body, path) => {
      const answer = await call('POST', '/triggers', body);
      expect(answer.status).toBe(400);
      expect(answer.body!['error']).toBe('ValidationFailed');
      const paths = (answer.body!['errors'] as { path: string }[]).map((error) => error.path.replaceAll('[', '.').replaceAll(']', ''));
      expect(paths.some((candidate) => candidate.startsWith(path))).toBe(true);
    });

    it('never shows a hook secret or the secrets of its job', async () => {
      const created = await call('POST', '/triggers', { id: 'secretive', name: 'x', enabled: true, hookPath: 'secretive', secret: SECRET, job: { ...echoJob, secrets: { key: 'job-secret-value' } } });
      expect(created.status).toBe(201);
      const shown = JSON.stringify([created.body, (await call('GET', '/triggers/secretive')).body, (await call('GET', '/triggers')).body]);
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain('job-secret-value');
      expect(created.body).toMatchObject({ secret: '[REDACTED]' });
      expect((await call('POST', '/triggers', { name: 'y', enabled: true, hookPath: 'secretive', secret: SECRET })).status).toBe(409);
      await call('DELETE', '/triggers/secretive');
    });
  });

  describe('events', () => {
    it('fire only the enabled triggers listening for them whose condition holds', async () => {
      await call('POST', '/triggers', { id: 'ev-match', name: 'match', enabled: true, event: 'release', job: echoJob });
      await call('POST', '/triggers', { id: 'ev-disabled', name: 'disabled', enabled: false, event: 'release', job: echoJob });
      await call('POST', '/triggers', { id: 'ev-other', name: 'other event', enabled: true, event: 'rollback', job: echoJob });
      await call('POST', '/triggers', { id: 'ev-cond', name: 'conditional', enabled: true, event: 'release', condition: "payload.channel == 'stable'", job: echoJob });
      await call('POST', '/triggers', { id: 'ev-rendered', name: 'rendered', enabled: true, event: 'release', job: echoJob, inputs: { version: 'v{{ payload.version }}-{{ event.name }}' } });

      const fired = await call('POST', '/events', { name: 'release', payload: { version: '1.2.3', channel: 'beta' } });
      expect(fired.status).toBe(200);
      const started = (fired.body!['jobs'] as { triggerId: string; jobId: string }[]).map((job) => job.triggerId).sort();
      expect(started).toEqual(['ev-match', 'ev-rendered']);
      expect(fired.body!['skipped']).toEqual([{ triggerId: 'ev-cond', reason: 'the condition is false' }]);

      const jobs = Object.fromEntries((fired.body!['jobs'] as { triggerId: string; jobId: string }[]).map((job) => [job.triggerId, job.jobId]));
      expect(await jobResult(jobs['ev-match']!)).toMatchObject({ state: 'COMPLETED', result: '1.2.3', inputs: { version: '1.2.3', channel: 'beta' } });
      expect(await jobResult(jobs['ev-rendered']!)).toMatchObject({ state: 'COMPLETED', result: 'v1.2.3-release' });

      const stable = await call('POST', '/events', { name: 'release', payload: { version: '2.0.0', channel: 'stable' } });
      expect((stable.body!['jobs'] as { triggerId: string }[]).map((job) => job.triggerId).sort()).toEqual(['ev-cond', 'ev-match', 'ev-rendered']);

      const firings = await call('GET', '/triggers/ev-cond/firings');
      expect(firings.body).toMatchObject({ totalItems: 2 });
      for (const item of firings.body!['items'] as unknown[]) expect(firingSchema.safeParse(item).success).toBe(true);
      expect((firings.body!['items'] as { reason?: string; jobId?: string; source: string }[]).map((firing) => [firing.source, firing.reason ?? 'job'])).toEqual([
        ['event', 'job'],
        ['event', 'the condition is false'],
      ]);
      expect((await call('POST', '/events', { name: 'nobody-listens' })).body).toEqual({ jobs: [] });
    }, 40_000);

    it('start one job per trigger for a retried delivery with the same idempotency key', async () => {
      await call('POST', '/triggers', { id: 'idem', name: 'idempotent', enabled: true, event: 'order', job: echoJob });
      const first = await call('POST', '/events', { name: 'order', payload: { version: '7' } }, { 'idempotency-key': 'order-7' });
      const again = await call('POST', '/events', { name: 'order', payload: { version: '7' } }, { 'idempotency-key': 'order-7' });
      const other = await call('POST', '/events', { name: 'order', payload: { version: '8' } }, { 'idempotency-key': 'order-8' });
      const [started] = first.body!['jobs'] as { jobId: string }[];
      expect(again.body!['jobs']).toEqual([{ triggerId: 'idem', jobId: started!.jobId, duplicate: true }]);
      expect((other.body!['jobs'] as { jobId: string }[])[0]!.jobId).not.toBe(started!.jobId);
      const count = await test.db.query<{ count: number }>("SELECT count(*)::int AS count FROM twerk.trigger_firings WHERE trigger_id = 'idem'");
      expect(count.rows[0]!.count).toBe(2);
      // Concurrent deliveries of one key race on the trigger's lock: still one job.
      const racing = await Promise.all(Array.from({ length: 5 }, () => call('POST', '/events', { name: 'order', payload: { version: '9' } }, { 'idempotency-key': 'order-9' })));
      expect(new Set(racing.map((answer) => (answer.body!['jobs'] as { jobId: string }[])[0]!.jobId)).size).toBe(1);
    });
  });

  describe('firing by hand', () => {
    it('starts the job with the payload, even when the condition is false; 409 when disabled', async () => {
      await call('POST', '/triggers', { id: 'manual', name: 'manual', enabled: true, condition: 'false', job: echoJob });
      const fired = await call('POST', '/triggers/manual/fire', { payload: { version: 'by-hand' } });
      expect(fired.status).toBe(200);
      expect(await jobResult((fired.body!['jobs'] as { jobId: string }[])[0]!.jobId)).toMatchObject({ result: 'by-hand' });
      expect((await call('POST', '/triggers/manual/fire')).status).toBe(200);
      await call('PUT', '/triggers/manual', { name: 'manual', enabled: false, job: echoJob });
      expect(await call('POST', '/triggers/manual/fire', { payload: {} })).toMatchObject({ status: 409, body: { error: 'TriggerDisabled' } });
      expect((await call('POST', '/triggers/missing/fire', {})).status).toBe(404);
    }, 30_000);

    it('starts a state machine with the payload, and the rendered inputs over it, as its input', async () => {
      const machine = { StartAt: 'Shape', States: { Shape: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('{} {}', $.salutation, $.who)" }, End: true } } };
      const created = await call('POST', '/triggers', { id: 'machine', name: 'machine', enabled: true, job: machine, inputs: { salutation: '{{ "hello" }}' } });
      expect(created.body).toMatchObject({ id: 'machine' });
      const fired = await call('POST', '/triggers/machine/fire', { payload: { who: 'world' } });
      const execution = await jobResult((fired.body!['jobs'] as { jobId: string }[])[0]!.jobId);
      expect(execution).toMatchObject({ state: 'COMPLETED' });
      expect(JSON.parse(execution['result'] as string)).toEqual({ greeting: 'hello world' });
    }, 30_000);

    it('runs a stored scheduled job\'s document', async () => {
      const scheduled = await call('POST', '/scheduled-jobs', { name: 'stored', cron: '0 0 1 1 *', output: echoJob.output, tasks: echoJob.tasks });
      await call('POST', '/triggers', { id: 'stored-ref', name: 'by reference', enabled: true, scheduledJobId: scheduled.body!['id'] });
      const fired = await call('POST', '/triggers/stored-ref/fire', { payload: { version: 'ref' } });
      expect(await jobResult((fired.body!['jobs'] as { jobId: string }[])[0]!.jobId)).toMatchObject({ name: 'stored', result: 'ref' });
      expect((await call('POST', '/triggers', { name: 'dangling', enabled: true, scheduledJobId: 'nope' })).status).toBe(400);
    }, 30_000);

    it('records why a Twerk-style trigger with only an action label starts nothing', async () => {
      await call('POST', '/triggers', { id: 'label-only', name: 'label', enabled: true, event: 'labelled', action: 'deploy' });
      const fired = await call('POST', '/events', { name: 'labelled' });
      expect(fired.body).toEqual({ jobs: [], skipped: [{ triggerId: 'label-only', reason: 'it has nothing to start: give it a job or a scheduledJobId' }] });
    });
  });

  describe('inbound webhooks', () => {
    const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

    beforeAll(async () => {
      await call('POST', '/triggers', { id: 'hook', name: 'hook', enabled: true, hookPath: 'github-push', secret: SECRET, condition: "payload.ref == 'refs/heads/main'", job: echoJob, inputs: { version: '{{ payload.after }}' } });
    });

    it('start the job when the body is signed with the secret', async () => {
      const body = JSON.stringify({ ref: 'refs/heads/main', after: 'abc123' });
      const answer = await call('POST', '/hooks/github-push', body, { 'x-hub-signature-256': sign(body) });
      expect(answer.status).toBe(200);
      expect(await jobResult((answer.body!['jobs'] as { jobId: string }[])[0]!.jobId)).toMatchObject({ result: 'abc123' });
      const token = await call('POST', '/hooks/github-push', body, { authorization: `Bearer ${SECRET}` });
      expect((token.body!['jobs'] as unknown[]).length).toBe(1);
      const redelivered = await call('POST', '/hooks/github-push', body, { 'x-hub-signature-256': sign(body), 'x-github-delivery': 'delivery-1' });
      const again = await call('POST', '/hooks/github-push', body, { 'x-hub-signature-256': sign(body), 'x-github-delivery': 'delivery-1' });
      expect(again.body!['jobs']).toEqual([{ ...(redelivered.body!['jobs'] as object[])[0], duplicate: true }]);
      const other = await call('POST', '/hooks/github-push', JSON.stringify({ ref: 'refs/heads/dev' }), { 'x-twerk-signature': sign(JSON.stringify({ ref: 'refs/heads/dev' })) });
      expect(other.body).toMatchObject({ jobs: [], skipped: [{ reason: 'the condition is false' }] });
    }, 30_000);

    it('refuse a bad or missing signature with 401, and start nothing', async () => {
      const before = await test.db.query<{ count: number }>("SELECT count(*)::int AS count FROM twerk.trigger_firings WHERE trigger_id = 'hook'");
      const body = JSON.stringify({ ref: 'refs/heads/main', after: 'evil' });
      expect((await call('POST', '/hooks/github-push', body, { 'x-twerk-signature': sign(body, 'the-wrong-secret-entirely') })).status).toBe(401);
      expect((await call('POST', '/hooks/github-push', body, { 'x-twerk-signature': sign(body.replace('evil', 'eviL')) })).status).toBe(401);
      expect((await call('POST', '/hooks/github-push', body, { authorization: 'Bearer nope' })).status).toBe(401);
      expect((await call('POST', '/hooks/github-push', body)).status).toBe(401);
      const after = await test.db.query<{ count: number }>("SELECT count(*)::int AS count FROM twerk.trigger_firings WHERE trigger_id = 'hook'");
      expect(after.rows[0]!.count).toBe(before.rows[0]!.count);
      expect((await call('POST', '/hooks/no-such-hook', body, { 'x-twerk-signature': sign(body) })).status).toBe(404);
    });

    it('answer 400 for a signed body that is not a JSON object', async () => {
      expect((await call('POST', '/hooks/github-push', '[1,2]', { 'x-twerk-signature': sign('[1,2]') })).status).toBe(400);
      expect((await call('POST', '/hooks/github-push', '{"a":', { 'x-twerk-signature': sign('{"a":') })).status).toBe(400);
    });
  });

  describe('cron triggers', () => {
    it('fire on their ticks, once per tick, until disabled', async () => {
      const created = await call('POST', '/triggers', { id: 'ticking', name: 'ticking', enabled: true, cron: '* * * * * *', job: { name: 'tick', tasks: [{ name: 'noop', run: 'true' }] } });
      expect(created.body!['nextRunAt']).toBeDefined();
      const firings = await until('two cron firings', async () => {
        const page = await call('GET', '/triggers/ticking/firings');
        return (page.body!['totalItems'] as number) >= 2 ? (page.body!['items'] as { source: string; jobId?: string; idempotencyKey: string }[]) : undefined;
      }, 15_000);
      await call('PUT', '/triggers/ticking', { name: 'ticking', enabled: false, cron: '* * * * * *', job: { name: 'tick', tasks: [{ name: 'noop', run: 'true' }] } });
      expect(firings.every((firing) => firing.source === 'cron' && firing.jobId !== undefined)).toBe(true);
      expect(new Set(firings.map((firing) => firing.idempotencyKey)).size).toBe(firings.length);
      const stopped = (await call('GET', '/triggers/ticking/firings')).body!['totalItems'] as number;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect((await call('GET', '/triggers/ticking/firings')).body!['totalItems']).toBe(stopped);
    }, 30_000);
  });
});
