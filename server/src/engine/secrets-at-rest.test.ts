/**
 * Secrets at rest (`datastore.encryption.key`) through the engine, on PostgreSQL and PGlite. Rows are
 * read back raw, as text, to show no secret is stored in the clear: a job's secrets, a scheduled job's,
 * a trigger's hook secret and the secrets of the job it starts. The tasks still see the values, a
 * schedule's tick and a trigger's firing still carry them, and a signed inbound webhook still verifies.
 * Rows written before the key was set still read; a wrong key, or none for a database holding
 * encrypted secrets, is an error at start-up and on every read.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScheduledJobDocument, TriggerInput } from '@twerk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.ts';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import { getJob } from '../datastore/jobs.ts';
import { getScheduledJob } from '../datastore/scheduled-jobs.ts';
import { KEY_MISSING_MESSAGE, KEY_WRONG_MESSAGE, secretsCipher, withSecretsCipher } from '../datastore/secrets-cipher.ts';
import { getTrigger } from '../datastore/triggers.ts';
import type { Engine } from './engine.ts';
import { shellRunner } from './shell-runner.ts';
import { engineOn, jobDocument } from './testing.ts';
import { until } from './testing-rows.ts';

const KEY = 'a passphrase long enough to use';
const OTHER_KEY = 'another passphrase, also long enough';
const HOOK_SECRET = 'the-inbound-hook-shared-secret';

/** A job whose one task writes `{{ secrets.token }}` to its output. */
const echoTask = { name: 'say', var: 'said', run: 'echo -n "$TOKEN" > $TWERK_OUTPUT', env: { TOKEN: '{{ secrets.token }}' } };
const echoYaml = (name: string, token: string) => `name: ${name}\nsecrets: { token: ${token} }\ntasks:\n  - name: say\n    var: said\n    run: echo -n "$TOKEN" > $TWERK_OUTPUT\n    env: { TOKEN: "{{ secrets.token }}" }\n`;
const sign = (body: string, secret = HOOK_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe.each(TEST_BACKENDS)('secrets at rest on %s', (name, open) => {
  let test: TestDatabase;
  let engine: Engine | undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'twerk-secrets-'));
  const worker = () => ({ runner: shellRunner({ baseDir: scratch, logFlushMs: 20 }), queues: { default: 4 }, nodeId: `secrets-${name}-${Math.random().toString(36).slice(2, 8)}` });
  const start = async (encryptionKey?: string) => {
    engine = await engineOn(test, worker(), encryptionKey !== undefined ? { encryptionKey } : {});
    return engine;
  };
  const stop = async () => {
    await engine?.stop();
    engine = undefined;
  };

  /** A row as text, for asserting what is (not) stored in the clear. */
  const raw = async (sql: string, params: unknown[]) => JSON.stringify((await test.db.query(sql, params)).rows);
  const taskResult = (jobId: string) =>
    until(`the task of job ${jobId}`, async () => (await test.db.query<{ result: string | null }>("SELECT result FROM twerk.tasks WHERE job_id = $1 AND state = 'COMPLETED'", [jobId])).rows[0]?.result ?? undefined, 20_000);
  const jobsOf = async (column: 'schedule_id', id: string) => (await test.db.query<{ id: string }>(`SELECT id FROM twerk.jobs WHERE ${column} = $1 ORDER BY created_at`, [id])).rows.map((row) => row.id);
  const firedJob = async (triggerId: string) => (await test.db.query<{ jobId: string }>('SELECT job_id AS "jobId" FROM twerk.trigger_firings WHERE trigger_id = $1 AND job_id IS NOT NULL ORDER BY fired_at DESC LIMIT 1', [triggerId])).rows[0]?.jobId;

  // Written before the key was set.
  let oldJob: string;
  let oldSchedule: string;
  // Written with the key.
  let sealedJob: string;

  beforeAll(async () => {
    test = await open();
  }, 60_000);

  afterAll(async () => {
    await stop();
    await test?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('without a key, stores secrets as given', async () => {
    const e = await start();
    oldJob = await e.submit(jobDocument(echoYaml('old', 'old-job-secret')));
    expect(await taskResult(oldJob)).toBe('old-job-secret');
    oldSchedule = (await e.scheduledJobs.create({ name: 'old schedule', cron: '* * * * * *', secrets: { token: 'old-schedule-secret' }, tasks: [echoTask] } as unknown as ScheduledJobDocument)).id;
    expect(await e.scheduledJobs.pause(oldSchedule)).toBe('ok');
    const created = await e.triggers.create({ id: 'old-hook', name: 'old hook', enabled: true, hookPath: 'old-hook', secret: HOOK_SECRET, job: { name: 'old hooked', secrets: { token: 'old-trigger-secret' }, tasks: [echoTask] } } as TriggerInput);
    expect(created.ok).toBe(true);
    expect(await raw('SELECT secrets::text FROM twerk.jobs WHERE id = $1', [oldJob])).toContain('old-job-secret');
    expect(await raw("SELECT secret, definition::text FROM twerk.triggers WHERE id = 'old-hook'", [])).toContain(HOOK_SECRET);
    await stop();
  }, 60_000);

  describe('with a key', () => {
    beforeAll(async () => {
      await start(KEY);
    }, 60_000);

    it('stores a job\'s secrets sealed, in the enc: format, while its task sees the value', async () => {
      sealedJob = await engine!.submit(jobDocument(echoYaml('sealed', 'job-secret-value')));
      expect(await taskResult(sealedJob)).toBe('job-secret-value');
      const row = (await test.db.query<{ secrets: Record<string, string>; text: string }>('SELECT secrets, secrets::text AS text, document::text AS document FROM twerk.jobs WHERE id = $1', [sealedJob])).rows[0]!;
      expect(row.text).not.toContain('job-secret-value');
      expect(Object.keys(row.secrets)).toEqual(['token']);
      expect(row.secrets['token']).toMatch(/^enc:[A-Za-z0-9+/]+=*$/);
      // (The context holds what the task wrote, which here is the secret itself: results are not sealed.)
      expect(await raw('SELECT document::text, inputs::text FROM twerk.jobs WHERE id = $1', [sealedJob])).not.toContain('job-secret-value');
      // Read through the engine's connection, the secrets are the values.
      expect((await getJob(engine!.db, sealedJob))?.secrets).toEqual({ token: 'job-secret-value' });
    }, 30_000);

    it('still reads the secrets of a job written before the key was set', async () => {
      expect((await getJob(engine!.db, oldJob))?.secrets).toEqual({ token: 'old-job-secret' });
    });

    it('stores a scheduled job\'s secrets sealed, and its ticks start jobs that get them', async () => {
      const schedule = await engine!.scheduledJobs.create({ name: 'sealed schedule', cron: '* * * * * *', secrets: { token: 'schedule-secret-value' }, tasks: [echoTask] } as unknown as ScheduledJobDocument);
      expect(await raw('SELECT secrets::text, document::text FROM twerk.scheduled_jobs WHERE id = $1', [schedule.id])).not.toContain('schedule-secret-value');
      expect(Object.values((await test.db.query<{ secrets: Record<string, string> }>('SELECT secrets FROM twerk.scheduled_jobs WHERE id = $1', [schedule.id])).rows[0]!.secrets)[0]).toMatch(/^enc:/);
      const [tick] = await until('a tick', async () => ((await jobsOf('schedule_id', schedule.id)).length > 0 ? jobsOf('schedule_id', schedule.id) : undefined), 15_000);
      expect(await engine!.scheduledJobs.pause(schedule.id)).toBe('ok');
      expect(await taskResult(tick!)).toBe('schedule-secret-value');
      expect(await raw('SELECT secrets::text FROM twerk.jobs WHERE id = $1', [tick])).not.toContain('schedule-secret-value');
      expect((await getScheduledJob(engine!.db, schedule.id))?.secrets).toEqual({ token: 'schedule-secret-value' });
    }, 30_000);

    it('ticks a scheduled job written before the key was set with its plaintext secrets', async () => {
      // A tick may have fired before the pause, without the key: only a tick after the resume counts.
      const before = await jobsOf('schedule_id', oldSchedule);
      expect(await engine!.scheduledJobs.resume(oldSchedule)).toBe('ok');
      const tick = await until('a tick', async () => (await jobsOf('schedule_id', oldSchedule)).find((id) => !before.includes(id)), 15_000);
      expect(await engine!.scheduledJobs.pause(oldSchedule)).toBe('ok');
      expect(await taskResult(tick)).toBe('old-schedule-secret');
      // The job it started is new, so sealed.
      expect(await raw('SELECT secrets::text FROM twerk.jobs WHERE id = $1', [tick])).not.toContain('old-schedule-secret');
    }, 30_000);

    it('stores a trigger\'s hook secret and its job\'s secrets sealed; a signed webhook verifies and its job gets the secret', async () => {
      const created = await engine!.triggers.create({ id: 'sealed-hook', name: 'sealed hook', enabled: true, hookPath: 'sealed-hook', secret: HOOK_SECRET, job: { name: 'hooked', secrets: { token: 'trigger-secret-value' }, tasks: [echoTask] } } as TriggerInput);
      expect(created.ok).toBe(true);
      const row = await raw("SELECT secret, definition::text FROM twerk.triggers WHERE id = 'sealed-hook'", []);
      expect(row).not.toContain(HOOK_SECRET);
      expect(row).not.toContain('trigger-secret-value');
      expect((await test.db.query<{ secret: string }>("SELECT secret FROM twerk.triggers WHERE id = 'sealed-hook'")).rows[0]!.secret).toMatch(/^enc:/);

      const app = await buildApp({ engine: engine!, version: 'test' });
      try {
        const body = JSON.stringify({ ref: 'main' });
        const hook = (path: string, signature: string) => app.inject({ method: 'POST', url: `/hooks/${path}`, payload: body, headers: { 'content-type': 'application/json', 'x-twerk-signature': signature } });
        expect((await hook('sealed-hook', sign(body, 'not-the-hook-secret-at-all'))).statusCode).toBe(401);
        const answer = await hook('sealed-hook', sign(body));
        expect(answer.statusCode).toBeLessThan(300);
        const hooked = await until('the hook\'s job', () => firedJob('sealed-hook'), 10_000);
        expect(await taskResult(hooked)).toBe('trigger-secret-value');
        expect(await raw('SELECT secrets::text FROM twerk.jobs WHERE id = $1', [hooked])).not.toContain('trigger-secret-value');
        // The trigger stored before the key was set still verifies with its plaintext secret, and fires with its job's secrets.
        expect((await hook('old-hook', sign(body))).statusCode).toBeLessThan(300);
        const oldHooked = await until('the old hook\'s job', () => firedJob('old-hook'), 10_000);
        expect(await taskResult(oldHooked)).toBe('old-trigger-secret');
        // Replacing a trigger seals what it is given too; firing by hand still carries the job's secrets.
        const replaced = await engine!.triggers.update('old-hook', { name: 'old hook', enabled: true, hookPath: 'old-hook', secret: HOOK_SECRET, job: { name: 'old hooked', secrets: { token: 'replaced-secret' }, tasks: [echoTask] } } as TriggerInput);
        expect(replaced.ok).toBe(true);
        expect(await raw("SELECT secret, definition::text FROM twerk.triggers WHERE id = 'old-hook'", [])).not.toMatch(new RegExp(`${HOOK_SECRET}|replaced-secret|old-trigger-secret`));
        const fired = await engine!.triggers.fire('old-hook', { source: 'manual', payload: {} });
        expect(fired.kind).toBe('started');
        expect(await taskResult((fired as { jobId: string }).jobId)).toBe('replaced-secret');
        // What the API shows of it is redacted, whatever the storage.
        const shown = await app.inject({ method: 'GET', url: '/triggers/sealed-hook' });
        expect(shown.json()).toMatchObject({ secret: '[REDACTED]', job: { secrets: { token: '[REDACTED]' } } });
      } finally {
        await app.close();
      }
      expect((await getTrigger(engine!.db, 'sealed-hook'))?.secret).toBe(HOOK_SECRET);
    }, 60_000);

    afterAll(stop);
  });

  it('refuses to start with another key, and a read with it fails clearly', async () => {
    await expect(start(OTHER_KEY)).rejects.toThrow(KEY_WRONG_MESSAGE);
    const other = withSecretsCipher(test.db, secretsCipher(OTHER_KEY));
    await expect(getJob(other, sealedJob)).rejects.toThrow(KEY_WRONG_MESSAGE);
    await expect(getTrigger(other, 'sealed-hook')).rejects.toThrow(KEY_WRONG_MESSAGE);
  }, 60_000);

  it('refuses to start a coordinator without a key on a database holding encrypted secrets, and a read without one fails clearly', async () => {
    await expect(start()).rejects.toThrow(KEY_MISSING_MESSAGE);
    await expect(getJob(test.db, sealedJob)).rejects.toThrow(KEY_MISSING_MESSAGE);
    await expect(getTrigger(test.db, 'sealed-hook')).rejects.toThrow(KEY_MISSING_MESSAGE);
    // Plaintext rows read without a key as before.
    expect((await getJob(test.db, oldJob))?.secrets).toEqual({ token: 'old-job-secret' });
  }, 60_000);

  it('starts again with the right key', async () => {
    const e = await start(KEY);
    expect((await getJob(e.db, sealedJob))?.secrets).toEqual({ token: 'job-secret-value' });
    await stop();
  }, 60_000);
});
