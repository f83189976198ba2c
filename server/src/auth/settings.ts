/**
 * Auth from config: `middleware.web.basicauth.enabled` (a user's name and password),
 * `middleware.web.keyauth.enabled` (API keys; `middleware.web.keyauth.key` adds one shared key with the
 * administrator's rights, as Tork's key auth), and the administrator made or reset at start-up:
 * `auth.admin.username` (default `admin`) and `auth.admin.password` — the way in to a new install.
 */
import type { Settings } from '../config/config.ts';
import type { AuthSettings } from './authenticate.ts';

export interface AuthConfig extends AuthSettings {
  readonly admin?: { readonly username: string; readonly password: string };
}

function raw(settings: Settings, key: string): string | undefined {
  const value = settings.get(key);
  return value === undefined || value === null ? undefined : String(value).trim();
}

function flag(settings: Settings, key: string, errors: string[]): boolean {
  const value = raw(settings, key)?.toLowerCase();
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  errors.push(`${key}: "${value}" is not true or false`);
  return false;
}

export function resolveAuthConfig(settings: Settings, errors: string[]): AuthConfig {
  const basic = flag(settings, 'middleware.web.basicauth.enabled', errors);
  const keys = flag(settings, 'middleware.web.keyauth.enabled', errors);
  const staticKey = raw(settings, 'middleware.web.keyauth.key');
  if (staticKey !== undefined && staticKey !== '' && [...staticKey].length < 16) errors.push('middleware.web.keyauth.key: must be at least 16 characters');
  const username = raw(settings, 'auth.admin.username') ?? 'admin';
  const password = raw(settings, 'auth.admin.password');
  if (!/^[A-Za-z][A-Za-z0-9_-]{2,63}$/.test(username)) errors.push(`auth.admin.username: "${username}" must be 3–64 characters: a letter, then letters, digits, "_" or "-"`);
  if (password !== undefined && password !== '' && [...password].length < 8) errors.push('auth.admin.password: must be at least 8 characters');
  if (password !== undefined && password !== '' && !basic && !keys) errors.push('auth.admin.password: is set, but neither middleware.web.basicauth.enabled nor middleware.web.keyauth.enabled is true');
  return {
    basic,
    keys,
    ...(staticKey !== undefined && staticKey !== '' ? { staticKey } : {}),
    ...(password !== undefined && password !== '' ? { admin: { username, password } } : {}),
  };
}
