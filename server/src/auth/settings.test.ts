import { describe, expect, it } from 'vitest';
import { resolveAuthConfig } from './settings.ts';

function resolve(entries: Record<string, unknown>) {
  const errors: string[] = [];
  return { config: resolveAuthConfig(new Map(Object.entries(entries)), errors), errors };
}

describe('auth settings', () => {
  it('are off by default', () => {
    expect(resolve({})).toEqual({ config: { basic: false, keys: false }, errors: [] });
  });

  it('turn on basic auth, API keys, the static key and the start-up administrator', () => {
    expect(resolve({ 'middleware.web.basicauth.enabled': 'true', 'middleware.web.keyauth.enabled': true, 'middleware.web.keyauth.key': 'a-static-key-of-16+', 'auth.admin.username': 'root', 'auth.admin.password': 'long enough' })).toEqual({
      config: { basic: true, keys: true, staticKey: 'a-static-key-of-16+', admin: { username: 'root', password: 'long enough' } },
      errors: [],
    });
  });

  it('name the key of every bad value', () => {
    expect(resolve({ 'middleware.web.basicauth.enabled': 'yes', 'middleware.web.keyauth.key': 'short', 'auth.admin.username': '9lives', 'auth.admin.password': 'short' }).errors).toEqual([
      'middleware.web.basicauth.enabled: "yes" is not true or false',
      'middleware.web.keyauth.key: must be at least 16 characters',
      'auth.admin.username: "9lives" must be 3–64 characters: a letter, then letters, digits, "_" or "-"',
      'auth.admin.password: must be at least 8 characters',
      'auth.admin.password: is set, but neither middleware.web.basicauth.enabled nor middleware.web.keyauth.enabled is true',
    ]);
  });
});
