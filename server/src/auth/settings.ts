/**
 * Auth from config: `middleware.web.basicauth.enabled` (a user's name and password),
 * `middleware.web.keyauth.enabled` (API keys; `middleware.web.keyauth.key` adds one shared key with the
 * administrator's rights, as Tork's key auth), and the administrator made or reset at start-up:
 * `auth.admin.username` (default `admin`) and `auth.admin.password` — the way in to a new install.
 */
import { flag, text, type Settings } from '../config/values.ts';
import type { AuthSettings } from './authenticate.ts';

export interface AuthConfig extends AuthSettings {
  readonly admin?: { readonly username: string; readonly password: string };
}

export function resolveAuthConfig(settings: Settings, errors: string[]): AuthConfig {
  const basic = flag(settings, 'middleware.web.basicauth.enabled', false, errors);
  const keys = flag(settings, 'middleware.web.keyauth.enabled', false, errors);
  const staticKey = text(settings, 'middleware.web.keyauth.key');
  if (staticKey !== undefined && [...staticKey].length < 16) errors.push('middleware.web.keyauth.key: must be at least 16 characters');
  const username = text(settings, 'auth.admin.username') ?? 'admin';
  const password = text(settings, 'auth.admin.password');
  if (!/^[A-Za-z][A-Za-z0-9_-]{2,63}$/.test(username)) errors.push(`auth.admin.username: "${username}" must be 3–64 characters: a letter, then letters, digits, "_" or "-"`);
  if (password !== undefined && [...password].length < 8) errors.push('auth.admin.password: must be at least 8 characters');
  if (password !== undefined && !basic && !keys) errors.push('auth.admin.password: is set, but neither middleware.web.basicauth.enabled nor middleware.web.keyauth.enabled is true');
  return {
    basic,
    keys,
    ...(staticKey !== undefined ? { staticKey } : {}),
    ...(password !== undefined ? { admin: { username, password } } : {}),
  };
}
