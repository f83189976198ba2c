import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decrypt,
  deriveKey,
  encrypt,
  isEncrypted,
  KEY_MISSING_MESSAGE,
  KEY_WRONG_MESSAGE,
  openSecrets,
  PLAINTEXT,
  sealSecrets,
  secretsCipher,
  SecretsKeyError,
  withOpenSecrets,
} from './secrets-cipher.ts';

const PASSPHRASE = 'correct horse battery staple';
const key = deriveKey(PASSPHRASE);

describe('the secrets cipher', () => {
  it('derives the key as the SHA-256 of the passphrase', () => {
    expect(key.equals(createHash('sha256').update(PASSPHRASE).digest())).toBe(true);
    expect(key.length).toBe(32);
  });

  it('writes enc: and base64 of the 12-byte nonce, the ciphertext and the 16-byte GCM tag, as Go gcm.Seal(nonce, nonce, …) does', () => {
    const nonce = Buffer.from('000102030405060708090a0b', 'hex');
    const sealed = encrypt('hunter2-é', key, nonce);
    expect(sealed.startsWith('enc:')).toBe(true);
    const raw = Buffer.from(sealed.slice(4), 'base64');
    expect(raw.subarray(0, 12).equals(nonce)).toBe(true);
    expect(raw.length).toBe(12 + Buffer.byteLength('hunter2-é') + 16);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    const body = Buffer.concat([cipher.update('hunter2-é'), cipher.final()]);
    expect(raw.subarray(12, raw.length - 16).equals(body)).toBe(true);
    expect(raw.subarray(raw.length - 16).equals(cipher.getAuthTag())).toBe(true);
  });

  it('opens a value sealed by another implementation (Python cryptography AESGCM, nonce first, tag appended)', () => {
    expect(decrypt('enc:AAECAwQFBgcICQoLf7iyJwnf0McIPcdDN9hoeO+Msm53OnP7y8g=', key)).toBe('hunter2-é');
  });

  it('uses a fresh nonce per value and round-trips any string, the empty one included', () => {
    const cipher = secretsCipher(PASSPHRASE);
    const once = cipher.seal('same'), twice = cipher.seal('same');
    expect(once).not.toBe(twice);
    for (const value of ['same', '', 'enc:looks-encrypted-but-is-not', '🔑 ünïcödé', 'x'.repeat(10_000)]) expect(cipher.open(cipher.seal(value))).toBe(value);
  });

  it('reads a value without the prefix as plaintext, with or without a key', () => {
    expect(secretsCipher(PASSPHRASE).open('plain-old-secret')).toBe('plain-old-secret');
    expect(PLAINTEXT.open('plain-old-secret')).toBe('plain-old-secret');
    expect(isEncrypted('plain')).toBe(false);
    expect(isEncrypted('enc:abc')).toBe(true);
    expect(isEncrypted(null)).toBe(false);
  });

  it('refuses to read an encrypted value without a key, with a wrong key, or altered — naming neither key nor value', () => {
    const sealed = secretsCipher(PASSPHRASE).seal('the-value');
    const failure = (work: () => unknown) => {
      try {
        work();
      } catch (error) {
        return error as SecretsKeyError;
      }
      throw new Error('did not throw');
    };
    const missing = failure(() => PLAINTEXT.open(sealed));
    expect(missing).toBeInstanceOf(SecretsKeyError);
    expect(missing.code).toBe('KEY_MISSING');
    expect(missing.message).toBe(KEY_MISSING_MESSAGE);
    const wrong = failure(() => secretsCipher('a different passphrase').open(sealed));
    expect(wrong.code).toBe('KEY_WRONG');
    expect(wrong.message).toBe(KEY_WRONG_MESSAGE);
    const raw = Buffer.from(sealed.slice(4), 'base64');
    raw[14] = raw[14]! ^ 1;
    expect(failure(() => secretsCipher(PASSPHRASE).open(`enc:${raw.toString('base64')}`)).code).toBe('KEY_WRONG');
    expect(failure(() => secretsCipher(PASSPHRASE).open('enc:AAAA')).code).toBe('MALFORMED');
    expect(failure(() => secretsCipher(PASSPHRASE).open('enc:not base64 at all!!')).code).toBe('MALFORMED');
    for (const error of [missing, wrong]) {
      expect(error.message).not.toContain(PASSPHRASE);
      expect(error.message).not.toContain('the-value');
    }
  });

  it('refuses a passphrase shorter than 16 characters', () => {
    expect(() => secretsCipher('fifteen chars!!')).toThrow(/at least 16 characters/);
    expect(secretsCipher('sixteen chars!!!').encrypting).toBe(true);
    expect(secretsCipher(undefined)).toBe(PLAINTEXT);
  });

  it('seals a secrets map value by value, keeping its keys, and opens it again', () => {
    const cipher = secretsCipher(PASSPHRASE);
    const sealed = sealSecrets(cipher, { token: 'abc', password: 'def' });
    expect(Object.keys(sealed)).toEqual(['token', 'password']);
    expect(Object.values(sealed).every(isEncrypted)).toBe(true);
    expect(JSON.stringify(sealed)).not.toMatch(/abc|def/);
    expect(openSecrets(cipher, sealed)).toEqual({ token: 'abc', password: 'def' });
    // Without a key the map is stored as given; a mix of old plaintext and sealed values reads whole.
    expect(sealSecrets(PLAINTEXT, { token: 'abc' })).toEqual({ token: 'abc' });
    expect(openSecrets(cipher, { old: 'plain', fresh: cipher.seal('new') })).toEqual({ old: 'plain', fresh: 'new' });
    const record = { id: 'j', secrets: { a: 'b' } };
    expect(withOpenSecrets(cipher, record)).toBe(record);
    expect(withOpenSecrets(cipher, { id: 'j', secrets: sealed })).toEqual({ id: 'j', secrets: { token: 'abc', password: 'def' } });
  });
});
