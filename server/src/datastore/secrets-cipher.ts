/**
 * Secrets at rest (`datastore.encryption.key`), in Tork's format: each secret value is stored as
 * `enc:` + base64(12-byte nonce ‖ AES-256-GCM ciphertext ‖ 16-byte tag) — what Go's `gcm.Seal(nonce,
 * nonce, …)` writes — with the key the SHA-256 of the passphrase. As in Tork, a secrets map keeps its
 * keys and seals each value. A value without the prefix is plaintext written before a key was set, and
 * reads as it is; unlike Tork, an encrypted value that cannot be opened is an error, never a stand-in.
 *
 * Pure: no I/O and no state beyond the derived key. The datastore modules find the cipher on the
 * connection they are given (`Queryable.secrets`, see `withSecretsCipher`).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';

export const ENCRYPTED_PREFIX = 'enc:';
/** Passphrases shorter than this are refused (config and here alike). */
export const MIN_KEY_LENGTH = 16;

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export type SecretsKeyErrorCode = 'KEY_MISSING' | 'KEY_WRONG' | 'KEY_TOO_SHORT' | 'MALFORMED';

/** A secret that cannot be read (or a key that cannot be used). The message never holds the key or a value. */
export class SecretsKeyError extends Error {
  readonly code: SecretsKeyErrorCode;
  constructor(code: SecretsKeyErrorCode, message: string) {
    super(message);
    this.name = 'SecretsKeyError';
    this.code = code;
  }
}

export const KEY_MISSING_MESSAGE = 'datastore.encryption.key is not set but the database holds encrypted secrets';
export const KEY_WRONG_MESSAGE = 'cannot decrypt secrets: wrong datastore.encryption.key';

export function isEncrypted(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(ENCRYPTED_PREFIX);
}

/** The AES-256 key of a passphrase: its SHA-256 (UTF-8), as Tork derives it. */
export function deriveKey(passphrase: string): Buffer {
  return createHash('sha256').update(passphrase, 'utf8').digest();
}

/** Seals one value with a fresh random nonce. */
export function encrypt(plaintext: string, key: Uint8Array, nonce: Uint8Array = randomBytes(NONCE_BYTES)): string {
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const sealed = Buffer.concat([nonce, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return ENCRYPTED_PREFIX + sealed.toString('base64');
}

/** Opens an `enc:` value; a value without the prefix is returned as it is. */
export function decrypt(value: string, key: Uint8Array): string {
  if (!isEncrypted(value)) return value;
  const body = value.slice(ENCRYPTED_PREFIX.length);
  const raw = Buffer.from(body, 'base64');
  // Node's decoder skips what is not base64; re-encoding tells a truncated or mangled value apart.
  if (raw.length < NONCE_BYTES + TAG_BYTES || raw.toString('base64').replace(/=+$/, '') !== body.replace(/=+$/, '')) {
    throw new SecretsKeyError('MALFORMED', 'cannot decrypt secrets: a stored value is not valid enc: data');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, NONCE_BYTES));
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    // GCM cannot tell a wrong key from altered data; a wrong key is by far the likelier.
    throw new SecretsKeyError('KEY_WRONG', KEY_WRONG_MESSAGE);
  }
}

/** How a connection stores secret values: sealed with the configured key, or as given when there is none. */
export interface SecretsCipher {
  /** Whether values are written encrypted (a key is configured). */
  readonly encrypting: boolean;
  seal(value: string): string;
  /** The plaintext of a stored value; throws a SecretsKeyError when it is encrypted and cannot be opened. */
  open(value: string): string;
}

/** No key: values are written as given, and an encrypted one cannot be read. */
export const PLAINTEXT: SecretsCipher = {
  encrypting: false,
  seal: (value) => value,
  open(value) {
    if (isEncrypted(value)) throw new SecretsKeyError('KEY_MISSING', KEY_MISSING_MESSAGE);
    return value;
  },
};

/** The cipher for a passphrase (`datastore.encryption.key`), or PLAINTEXT without one. */
export function secretsCipher(passphrase?: string): SecretsCipher {
  if (passphrase === undefined || passphrase === '') return PLAINTEXT;
  if ([...passphrase].length < MIN_KEY_LENGTH) throw new SecretsKeyError('KEY_TOO_SHORT', `datastore.encryption.key: must be at least ${MIN_KEY_LENGTH} characters`);
  const key = deriveKey(passphrase);
  return { encrypting: true, seal: (value) => encrypt(value, key), open: (value) => decrypt(value, key) };
}

/** A secrets map as stored: every value sealed. */
export function sealSecrets(cipher: SecretsCipher, secrets: Readonly<Record<string, string>>): Record<string, string> {
  if (!cipher.encrypting) return { ...secrets };
  return Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, cipher.seal(value)]));
}

/** A stored secrets map opened; the same object when nothing in it is encrypted. */
export function openSecrets<T extends Readonly<Record<string, string>>>(cipher: SecretsCipher, secrets: T): T {
  if (!Object.values(secrets).some(isEncrypted)) return secrets;
  return Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, cipher.open(value)])) as T;
}

/** The cipher of a connection: the one it carries, else PLAINTEXT. */
export function cipherOf(q: Queryable): SecretsCipher {
  return q.secrets ?? PLAINTEXT;
}

/**
 * The database with the cipher attached to it and to every transaction it opens, so the datastore
 * functions seal and open secrets through whichever connection they are handed. Everything else
 * (adapter kind, `pglite`, listen, close) is the database's own.
 */
export function withSecretsCipher<D extends Database>(db: D, secrets: SecretsCipher): D {
  const carrying = (tx: Queryable): Queryable => ({ query: tx.query.bind(tx), script: tx.script.bind(tx), secrets });
  return { ...db, secrets, transaction: (work) => db.transaction((tx) => work(carrying(tx))) };
}

/** A record read back with its `secrets` opened; the same object when none of them is encrypted. */
export function withOpenSecrets<T extends { readonly secrets: Readonly<Record<string, string>> }>(cipher: SecretsCipher, record: T): T {
  const secrets = openSecrets(cipher, record.secrets);
  return secrets === record.secrets ? record : { ...record, secrets };
}
