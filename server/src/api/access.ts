/**
 * Route handlers for users, roles and API keys. Users and roles are the administrator's (the routes
 * say so in their metadata); a key belongs to the signed-in user who made it, is shown once, and is
 * stored as a digest. Usernames are unique (409, unlike Tork's silent overwrite).
 */
import type { FastifyRequest } from 'fastify';
import type { Database } from '../db/database.ts';
import {
  deleteUser,
  grantRoles,
  insertApiKey,
  insertRole,
  insertUser,
  listApiKeys,
  listRoles,
  listUsers,
  revokeApiKey,
  roleIds,
  setUserDisabled,
  userById,
  userByName,
  type ApiKeyRecord,
  type RoleRecord,
  type UserRecord,
} from '../datastore/access.ts';
import { newId } from '../datastore/ids.ts';
import { digestOf, hashPassword, newApiKey } from '../auth/secrets.ts';

function time(value: Date | null): string | undefined {
  return value === null ? undefined : new Date(value).toISOString();
}

export function userView(user: UserRecord) {
  return { id: user.id, username: user.username, ...(user.name !== null ? { name: user.name } : {}), createdAt: time(user.createdAt)!, disabled: user.disabled, ...(user.roles.length > 0 ? { roles: user.roles } : {}) };
}

function roleView(role: RoleRecord) {
  return { id: role.id, slug: role.slug, name: role.name, createdAt: time(role.createdAt)! };
}

function keyView(key: ApiKeyRecord) {
  return { id: key.id, name: key.name, username: key.username, createdAt: time(key.createdAt)!, ...(key.lastUsedAt !== null ? { lastUsedAt: time(key.lastUsedAt)! } : {}), ...(key.expiresAt !== null ? { expiresAt: time(key.expiresAt)! } : {}) };
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}

/** A user named by id or by username. */
async function findUser(db: Database, idOrName: string): Promise<UserRecord | undefined> {
  return (await userById(db, idOrName)) ?? (await userByName(db, idOrName));
}

const userNotFound = { status: 404 as const, body: { message: 'user not found' } };

export function accessHandlers(db: Database) {
  const setDisabled = async (idOrName: string, disabled: boolean) => {
    const user = await findUser(db, idOrName);
    if (user === undefined) return userNotFound;
    await setUserDisabled(db, user.id, disabled);
    return { status: 200 as const, body: userView({ ...user, disabled }) };
  };
  return {
    createUser: async ({ body }: { body: { username: string; password: string; name?: string | undefined; roles?: string[] | undefined } }) => {
      const wanted = [...new Set(body.roles ?? [])];
      const roles = await roleIds(db, wanted);
      const unknown = wanted.filter((slug) => !roles.has(slug));
      if (unknown.length > 0) return { status: 400 as const, body: { message: `roles: no role ${unknown.join(', ')}`, errors: unknown.map((slug) => ({ path: `roles[${wanted.indexOf(slug)}]`, message: `names no role "${slug}"` })) } };
      const id = newId();
      try {
        await db.transaction(async (tx) => {
          await insertUser(tx, { id, username: body.username, name: body.name ?? null, passwordHash: await hashPassword(body.password) });
          await grantRoles(tx, id, [...roles.values()]);
        });
      } catch (error) {
        if (isUniqueViolation(error)) return { status: 409 as const, body: { message: `the username ${body.username} is taken`, errors: [{ path: 'username', message: 'is taken' }] } };
        throw error;
      }
      return { status: 200 as const, body: userView((await userById(db, id))!) };
    },
    listUsers: async () => ({ status: 200 as const, body: (await listUsers(db)).map(userView) }),
    getUser: async ({ params }: { params: { id: string } }) => {
      const user = await findUser(db, params.id);
      return user === undefined ? userNotFound : { status: 200 as const, body: userView(user) };
    },
    disableUser: async ({ params }: { params: { id: string } }) => setDisabled(params.id, true),
    enableUser: async ({ params }: { params: { id: string } }) => setDisabled(params.id, false),
    deleteUser: async ({ params }: { params: { id: string } }) => {
      const user = await findUser(db, params.id);
      if (user === undefined || !(await deleteUser(db, user.id))) return userNotFound;
      return { status: 204 as const, body: undefined };
    },
    createRole: async ({ body }: { body: { slug: string; name: string } }) => {
      const id = newId();
      try {
        await insertRole(db, { id, slug: body.slug, name: body.name });
      } catch (error) {
        if (isUniqueViolation(error)) return { status: 409 as const, body: { message: `the role ${body.slug} exists`, errors: [{ path: 'slug', message: 'is taken' }] } };
        throw error;
      }
      return { status: 200 as const, body: roleView((await listRoles(db)).find((role) => role.id === id)!) };
    },
    listRoles: async () => ({ status: 200 as const, body: (await listRoles(db)).map(roleView) }),
    createKey: async ({ body, request }: { body: { name: string; expiresAt?: string | undefined }; request: FastifyRequest }) => {
      const owner = request.principal === undefined ? undefined : await userByName(db, request.principal.username);
      if (owner === undefined || request.principal?.via === 'static-key') {
        return { status: 400 as const, body: { message: 'an API key belongs to a user: sign in as one (basic auth, or one of their keys) to make one' } };
      }
      const secret = newApiKey();
      const key = await insertApiKey(db, { id: newId(), userId: owner.id, name: body.name, digest: digestOf(secret), expiresAt: body.expiresAt === undefined ? null : new Date(body.expiresAt) });
      return { status: 200 as const, body: { ...keyView(key), key: secret } };
    },
    listKeys: async ({ request }: { request: FastifyRequest }) => {
      const owner = request.principal === undefined ? undefined : await userByName(db, request.principal.username);
      return { status: 200 as const, body: owner === undefined ? [] : (await listApiKeys(db, owner.id)).map(keyView) };
    },
    deleteKey: async ({ params, request }: { params: { id: string }; request: FastifyRequest }) => {
      const principal = request.principal;
      const owner = principal === undefined || principal.admin ? null : ((await userByName(db, principal.username))?.id ?? '');
      return (await revokeApiKey(db, params.id, owner)) ? { status: 204 as const, body: undefined } : { status: 404 as const, body: { message: 'API key not found' } };
    },
  };
}
