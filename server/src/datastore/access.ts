/** SQL for users, roles and API keys. */
import type { Queryable } from '../db/database.ts';

export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly name: string | null;
  readonly passwordHash: string;
  readonly disabled: boolean;
  readonly createdAt: Date;
  readonly roles: string[];
}

const USER = `SELECT u.id, u.username, u.name, u.password_hash AS "passwordHash", u.disabled, u.created_at AS "createdAt",
  coalesce((SELECT array_agg(r.slug ORDER BY r.slug) FROM twerk.user_roles ur JOIN twerk.roles r ON r.id = ur.role_id WHERE ur.user_id = u.id), '{}') AS roles
  FROM twerk.users u`;

export async function insertUser(q: Queryable, user: { id: string; username: string; name: string | null; passwordHash: string }): Promise<void> {
  await q.query('INSERT INTO twerk.users (id, username, name, password_hash) VALUES ($1, $2, $3, $4)', [user.id, user.username, user.name, user.passwordHash]);
}

/** Sets a user's password and enables them (the configured administrator at start-up). */
export async function upsertUser(q: Queryable, user: { id: string; username: string; passwordHash: string }): Promise<string> {
  const rows = await q.query<{ id: string }>(
    `INSERT INTO twerk.users (id, username, password_hash) VALUES ($1, $2, $3)
     ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, disabled = false RETURNING id`,
    [user.id, user.username, user.passwordHash],
  );
  return rows.rows[0]!.id;
}

export async function userByName(q: Queryable, username: string): Promise<UserRecord | undefined> {
  return (await q.query<UserRecord>(`${USER} WHERE u.username = $1`, [username])).rows[0];
}

export async function userById(q: Queryable, id: string): Promise<UserRecord | undefined> {
  return (await q.query<UserRecord>(`${USER} WHERE u.id = $1`, [id])).rows[0];
}

export async function listUsers(q: Queryable): Promise<UserRecord[]> {
  return (await q.query<UserRecord>(`${USER} ORDER BY u.username`)).rows;
}

export async function setUserDisabled(q: Queryable, id: string, disabled: boolean): Promise<boolean> {
  return ((await q.query('UPDATE twerk.users SET disabled = $2 WHERE id = $1', [id, disabled])).rowCount ?? 0) > 0;
}

export async function deleteUser(q: Queryable, id: string): Promise<boolean> {
  return ((await q.query('DELETE FROM twerk.users WHERE id = $1', [id])).rowCount ?? 0) > 0;
}

export interface RoleRecord {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly createdAt: Date;
}

export async function insertRole(q: Queryable, role: { id: string; slug: string; name: string }): Promise<void> {
  await q.query('INSERT INTO twerk.roles (id, slug, name) VALUES ($1, $2, $3)', [role.id, role.slug, role.name]);
}

/** The role, created if it does not exist (the built-in admin role). */
export async function ensureRole(q: Queryable, role: { id: string; slug: string; name: string }): Promise<string> {
  await q.query('INSERT INTO twerk.roles (id, slug, name) VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING', [role.id, role.slug, role.name]);
  return (await q.query<{ id: string }>('SELECT id FROM twerk.roles WHERE slug = $1', [role.slug])).rows[0]!.id;
}

export async function listRoles(q: Queryable): Promise<RoleRecord[]> {
  return (await q.query<RoleRecord>('SELECT id, slug, name, created_at AS "createdAt" FROM twerk.roles ORDER BY slug')).rows;
}

/** The ids of these role slugs; slugs that name no role are left out. */
export async function roleIds(q: Queryable, slugs: readonly string[]): Promise<Map<string, string>> {
  const rows = await q.query<{ id: string; slug: string }>('SELECT id, slug FROM twerk.roles WHERE slug = ANY($1::text[])', [slugs]);
  return new Map(rows.rows.map((row) => [row.slug, row.id]));
}

export async function grantRoles(q: Queryable, userId: string, roleIdsToGrant: readonly string[]): Promise<void> {
  if (roleIdsToGrant.length === 0) return;
  await q.query('INSERT INTO twerk.user_roles (user_id, role_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING', [userId, roleIdsToGrant]);
}

/** Which of these names are users, and which of these slugs are roles (permissions must name real ones). */
export async function existingPrincipals(q: Queryable, usernames: readonly string[], slugs: readonly string[]): Promise<{ users: Set<string>; roles: Set<string> }> {
  const users = await q.query<{ username: string }>('SELECT username FROM twerk.users WHERE username = ANY($1::text[])', [usernames]);
  const roles = await q.query<{ slug: string }>('SELECT slug FROM twerk.roles WHERE slug = ANY($1::text[])', [slugs]);
  return { users: new Set(users.rows.map((row) => row.username)), roles: new Set(roles.rows.map((row) => row.slug)) };
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly userId: string;
  readonly username: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly expiresAt: Date | null;
}

const KEY = `SELECT k.id, k.user_id AS "userId", u.username, k.name, k.created_at AS "createdAt", k.last_used_at AS "lastUsedAt", k.expires_at AS "expiresAt"
  FROM twerk.api_keys k JOIN twerk.users u ON u.id = k.user_id`;

export async function insertApiKey(q: Queryable, key: { id: string; userId: string; name: string; digest: string; expiresAt: Date | null }): Promise<ApiKeyRecord> {
  await q.query('INSERT INTO twerk.api_keys (id, user_id, name, digest, expires_at) VALUES ($1, $2, $3, $4, $5)', [key.id, key.userId, key.name, key.digest, key.expiresAt]);
  return (await q.query<ApiKeyRecord>(`${KEY} WHERE k.id = $1`, [key.id])).rows[0]!;
}

/** The live key with this digest and its enabled user: not revoked, not expired (by the database's clock). */
export async function liveKeyByDigest(q: Queryable, digest: string): Promise<(ApiKeyRecord & { roles: string[] }) | undefined> {
  const rows = await q.query<ApiKeyRecord & { roles: string[] }>(
    `SELECT k.id, k.user_id AS "userId", u.username, k.name, k.created_at AS "createdAt", k.last_used_at AS "lastUsedAt", k.expires_at AS "expiresAt",
       coalesce((SELECT array_agg(r.slug) FROM twerk.user_roles ur JOIN twerk.roles r ON r.id = ur.role_id WHERE ur.user_id = u.id), '{}') AS roles
     FROM twerk.api_keys k JOIN twerk.users u ON u.id = k.user_id
     WHERE k.digest = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) AND NOT u.disabled`,
    [digest],
  );
  return rows.rows[0];
}

/** Notes a key's use, at most once a minute per key (a write per request would cost more than the request). */
export async function touchApiKey(q: Queryable, id: string): Promise<void> {
  await q.query("UPDATE twerk.api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')", [id]);
}

export async function listApiKeys(q: Queryable, userId: string | null): Promise<ApiKeyRecord[]> {
  return (await q.query<ApiKeyRecord>(`${KEY} WHERE k.revoked_at IS NULL AND ($1::text IS NULL OR k.user_id = $1) ORDER BY k.created_at, k.id`, [userId])).rows;
}

/** Revokes a live key; `userId` limits it to that user's keys (null: any, for an administrator). */
export async function revokeApiKey(q: Queryable, id: string, userId: string | null): Promise<boolean> {
  const result = await q.query('UPDATE twerk.api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL AND ($2::text IS NULL OR user_id = $2)', [id, userId]);
  return (result.rowCount ?? 0) > 0;
}
