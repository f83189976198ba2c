/**
 * Who is calling: basic auth (a user's name and password), an API key (`X-API-Key: twk_…` or
 * `Authorization: Bearer twk_…`), or the static key of `middleware.web.keyauth.key` (Tork's key auth,
 * with the administrator's rights). Keys are looked up in the database on every request, so a revoked
 * key or a disabled user stops working at once on every coordinator. Checking a password costs a slow
 * hash; a verdict is remembered for a minute, keyed by the stored hash too, so a changed password or a
 * disabled user is never let in from memory.
 */
import type { Database } from '../db/database.ts';
import { liveKeyByDigest, touchApiKey, userByName } from '../datastore/access.ts';
import { API_KEY_PREFIX, digestOf, passwordMatches, sameSecret } from './secrets.ts';

export const ADMIN_ROLE = 'admin';

export interface Principal {
  readonly username: string;
  readonly roles: readonly string[];
  /** The admin role, or the static key: sees and may do everything. */
  readonly admin: boolean;
  readonly via: 'basic' | 'key' | 'static-key';
}

export interface AuthSettings {
  readonly basic: boolean;
  readonly keys: boolean;
  /** Tork's `middleware.web.keyauth.key`: one shared key with the administrator's rights. */
  readonly staticKey?: string;
}

export function authEnabled(settings: AuthSettings | undefined): settings is AuthSettings {
  return settings !== undefined && (settings.basic || settings.keys);
}

export type Credentials =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed'; readonly reason: string };

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The credentials a request carries, read from its headers alone. */
export function credentialsOf(headers: Headers): Credentials {
  const apiKey = header(headers, 'x-api-key');
  if (apiKey !== undefined && apiKey.trim() !== '') return { kind: 'key', key: apiKey.trim() };
  const authorization = header(headers, 'authorization');
  if (authorization === undefined || authorization.trim() === '') return { kind: 'none' };
  const [scheme, ...rest] = authorization.trim().split(/\s+/);
  const value = rest.join(' ');
  if (/^bearer$/i.test(scheme ?? '') && value !== '') return { kind: 'key', key: value };
  if (/^basic$/i.test(scheme ?? '') && value !== '') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return { kind: 'malformed', reason: 'basic credentials must be base64 of username:password' };
    return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { kind: 'malformed', reason: `unsupported authorization scheme "${scheme ?? ''}": use Basic or Bearer` };
}

export type Authentication = { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly reason: string };

const MISSING = 'credentials are required: basic auth, or an API key as "X-API-Key" or "Authorization: Bearer"';

export class Authenticator {
  private readonly verdicts = new Map<string, number>();
  private readonly touched = new Map<string, number>();
  private readonly db: Database;
  private readonly settings: AuthSettings;

  constructor(db: Database, settings: AuthSettings) {
    this.db = db;
    this.settings = settings;
  }

  async authenticate(headers: Headers): Promise<Authentication> {
    const credentials = credentialsOf(headers);
    if (credentials.kind === 'none') return { ok: false, reason: MISSING };
    if (credentials.kind === 'malformed') return { ok: false, reason: credentials.reason };
    if (credentials.kind === 'basic') {
      if (!this.settings.basic) return { ok: false, reason: 'basic auth is not enabled: use an API key' };
      return this.basic(credentials.username, credentials.password);
    }
    if (!this.settings.keys) return { ok: false, reason: 'API keys are not enabled: use basic auth' };
    if (this.settings.staticKey !== undefined && sameSecret(credentials.key, this.settings.staticKey)) {
      return { ok: true, principal: { username: 'admin', roles: [ADMIN_ROLE], admin: true, via: 'static-key' } };
    }
    if (!credentials.key.startsWith(API_KEY_PREFIX)) return { ok: false, reason: 'the API key is not valid' };
    const key = await liveKeyByDigest(this.db, digestOf(credentials.key));
    if (key === undefined) return { ok: false, reason: 'the API key is not valid, or was revoked or has expired' };
    this.touch(key.id);
    return { ok: true, principal: { username: key.username, roles: key.roles, admin: key.roles.includes(ADMIN_ROLE), via: 'key' } };
  }

  /** Notes a key's use in the database at most once a minute per key and process: not a write per request. */
  private touch(keyId: string): void {
    const now = Date.now();
    if ((this.touched.get(keyId) ?? 0) > now - 60_000) return;
    if (this.touched.size >= 10_000) this.touched.clear();
    this.touched.set(keyId, now);
    void touchApiKey(this.db, keyId).catch(() => {});
  }

  private async basic(username: string, password: string): Promise<Authentication> {
    const user = await userByName(this.db, username);
    // The same answer for an unknown user and a wrong password.
    const refused = { ok: false as const, reason: 'the username or password is wrong, or the user is disabled' };
    if (user === undefined || user.disabled) return refused;
    const verdictKey = digestOf(`${user.passwordHash}\u0000${username}\u0000${password}`);
    const remembered = this.verdicts.get(verdictKey);
    if (remembered === undefined || remembered < Date.now()) {
      if (!(await passwordMatches(password, user.passwordHash))) return refused;
      if (this.verdicts.size >= 1_000) this.verdicts.delete(this.verdicts.keys().next().value!);
      this.verdicts.set(verdictKey, Date.now() + 60_000);
    }
    return { ok: true, principal: { username: user.username, roles: user.roles, admin: user.roles.includes(ADMIN_ROLE), via: 'basic' } };
  }
}

/**
 * Who a request claims to be, without checking it — for the rate limiter, which runs before auth so a
 * refused request costs no password check: `user:<name>` or `key:<digest prefix>` (never the secret).
 */
export function claimedIdentity(headers: Headers): string | undefined {
  const credentials = credentialsOf(headers);
  if (credentials.kind === 'basic') return `user:${credentials.username}`;
  if (credentials.kind === 'key') return `key:${digestOf(credentials.key).slice(0, 16)}`;
  return undefined;
}
