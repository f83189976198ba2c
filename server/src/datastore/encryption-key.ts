/**
 * The start-up check of `datastore.encryption.key` (migration 0010), so a misconfigured key stops the
 * process at once instead of failing the first job that needs its secrets. The first process with a
 * key stores a known value sealed with it; every later one with a key must open it. A coordinator
 * without a key, on a database that has had one, looks for encrypted secrets it could not read.
 */
import type { Queryable } from '../db/database.ts';
import { cipherOf, KEY_MISSING_MESSAGE, KEY_WRONG_MESSAGE, SecretsKeyError } from './secrets-cipher.ts';

const CHECK_VALUE = 'twerk: datastore.encryption.key';

/** Throws a SecretsKeyError when the connection's key (or the lack of one) cannot read this database's secrets. */
export async function checkEncryptionKey(q: Queryable): Promise<void> {
  const cipher = cipherOf(q);
  if (cipher.encrypting) {
    await q.query('INSERT INTO twerk.encryption_key (sealed) VALUES ($1) ON CONFLICT (id) DO NOTHING', [cipher.seal(CHECK_VALUE)]);
    const stored = (await q.query<{ sealed: string }>('SELECT sealed FROM twerk.encryption_key')).rows[0]!.sealed;
    let opened: string | undefined;
    try {
      opened = cipher.open(stored);
    } catch (error) {
      if (!(error instanceof SecretsKeyError)) throw error;
    }
    if (opened !== CHECK_VALUE) throw new SecretsKeyError('KEY_WRONG', `${KEY_WRONG_MESSAGE} (this database's secrets were encrypted with another key)`);
    return;
  }
  const keyed = (await q.query<{ keyed: boolean }>('SELECT EXISTS (SELECT 1 FROM twerk.encryption_key) AS keyed')).rows[0]?.keyed === true;
  if (keyed && (await holdsEncryptedSecrets(q))) throw new SecretsKeyError('KEY_MISSING', KEY_MISSING_MESSAGE);
}

/** Whether any secret column holds an `enc:` value (a scan: only run for a database that has had a key). */
export async function holdsEncryptedSecrets(q: Queryable): Promise<boolean> {
  const rows = await q.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM twerk.triggers WHERE secret LIKE 'enc:%' OR jsonb_path_exists(definition, '$.job.secrets.* ? (@ starts with "enc:")'))
         OR EXISTS (SELECT 1 FROM twerk.scheduled_jobs WHERE jsonb_path_exists(secrets, '$.* ? (@ starts with "enc:")'))
         OR EXISTS (SELECT 1 FROM twerk.jobs WHERE jsonb_path_exists(secrets, '$.* ? (@ starts with "enc:")')) AS found`,
  );
  return rows.rows[0]?.found === true;
}
