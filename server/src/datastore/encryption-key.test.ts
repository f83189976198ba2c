import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../db/migrate.ts';
import { TEST_BACKENDS, type TestDatabase } from '../db/testing.ts';
import { checkEncryptionKey, holdsEncryptedSecrets } from './encryption-key.ts';
import { insertJob } from './jobs.ts';
import { getScheduledJob, insertScheduledJob } from './scheduled-jobs.ts';
import { KEY_MISSING_MESSAGE, KEY_WRONG_MESSAGE, secretsCipher, withSecretsCipher } from './secrets-cipher.ts';
import { getTrigger, insertTrigger, listTriggers } from './triggers.ts';

const KEY = 'the datastore passphrase';

describe.each(TEST_BACKENDS)('the encryption key check on %s', (_name, open) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await open();
    await migrate(test.db);
  }, 60_000);
  afterAll(() => test?.dispose());

  const keyed = (key = KEY) => withSecretsCipher(test.db, secretsCipher(key));

  it('passes a database that never had a key, with or without one now', async () => {
    await expect(checkEncryptionKey(test.db)).resolves.toBeUndefined();
    expect(await test.db.query('SELECT 1 FROM twerk.encryption_key')).toMatchObject({ rowCount: 0 });
  });

  it('ties the database to the first key it is given, and refuses another', async () => {
    await checkEncryptionKey(keyed());
    const stored = (await test.db.query<{ sealed: string }>('SELECT sealed FROM twerk.encryption_key')).rows;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.sealed).toMatch(/^enc:/);
    await checkEncryptionKey(keyed());
    await expect(checkEncryptionKey(keyed('some other passphrase'))).rejects.toThrow(KEY_WRONG_MESSAGE);
  });

  it('lets a process without a key start while no secret is encrypted, and stops it once one is', async () => {
    await checkEncryptionKey(test.db);
    expect(await holdsEncryptedSecrets(test.db)).toBe(false);
    // Each column on its own is found: a trigger's job secrets, a hook secret, a scheduled job's, a job's.
    await insertTrigger(keyed(), 'job-secrets', { name: 'a', enabled: true, event: 'e', job: { name: 'j', secrets: { token: 'value-1' }, tasks: [] } }, null, null);
    expect(await holdsEncryptedSecrets(test.db)).toBe(true);
    await expect(checkEncryptionKey(test.db)).rejects.toThrow(KEY_MISSING_MESSAGE);
    await test.db.query('DELETE FROM twerk.triggers');
    await insertTrigger(keyed(), 'hook-secret', { name: 'b', enabled: true, hookPath: 'b' }, 'hook-secret-value', null);
    expect(await holdsEncryptedSecrets(test.db)).toBe(true);
    await test.db.query('DELETE FROM twerk.triggers');
    const schedule = await insertScheduledJob(keyed(), { id: 's', name: 's', description: null, tags: [], state: 'PAUSED', cron: '* * * * *', timezone: null, document: { name: 's', tasks: [] }, inputs: {}, secrets: { token: 'value-2' }, createdBy: null, nextRunAt: null });
    expect(schedule.secrets).toEqual({ token: 'value-2' });
    expect(await holdsEncryptedSecrets(test.db)).toBe(true);
    await expect(getScheduledJob(test.db, 's')).rejects.toThrow(KEY_MISSING_MESSAGE);
    await test.db.query('DELETE FROM twerk.scheduled_jobs');
    await insertJob(keyed(), { id: 'j', parentId: null, name: 'j', description: null, tags: [], state: 'COMPLETED', createdBy: null, position: 0, taskCount: 0, document: { name: 'j', tasks: [] }, inputs: {}, secrets: { token: 'value-3' }, context: {}, output: null });
    expect(await holdsEncryptedSecrets(test.db)).toBe(true);
    await test.db.query('DELETE FROM twerk.jobs');
    expect(await holdsEncryptedSecrets(test.db)).toBe(false);
  });

  it('reads a trigger back with its hook secret and job secrets opened, leaving a machine or a job without secrets alone', async () => {
    const db = keyed();
    await insertTrigger(db, 't1', { name: 't1', enabled: true, hookPath: 't1', job: { name: 'j', secrets: { token: 'value-4' }, tasks: [] } }, 'hook-secret-value', null);
    await insertTrigger(db, 't2', { name: 't2', enabled: true, event: 'x', job: { StartAt: 'A', States: { A: { Type: 'Succeed' } } } }, null, null);
    const raw = JSON.stringify((await test.db.query("SELECT secret, definition FROM twerk.triggers WHERE id = 't1'")).rows);
    expect(raw).not.toMatch(/value-4|hook-secret-value/);
    expect(await getTrigger(db, 't1')).toMatchObject({ secret: 'hook-secret-value', definition: { job: { secrets: { token: 'value-4' } } } });
    expect((await listTriggers(db)).map((trigger) => trigger.definition.job)).toEqual([{ name: 'j', secrets: { token: 'value-4' }, tasks: [] }, { StartAt: 'A', States: { A: { Type: 'Succeed' } } }]);
  });
});
