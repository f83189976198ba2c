/**
 * What auth needs in the database before the first request: the admin role, and — when
 * `auth.admin.password` is set — its user, created or given that password again (so a lost admin
 * password is reset by restarting with a new one). Several coordinators starting at once agree.
 */
import type { Database } from '../db/database.ts';
import { ensureRole, grantRoles, upsertUser } from '../datastore/access.ts';
import { newId } from '../datastore/ids.ts';
import { ADMIN_ROLE } from './authenticate.ts';
import { hashPassword } from './secrets.ts';
import type { AuthConfig } from './settings.ts';

export async function prepareAuth(db: Database, config: AuthConfig): Promise<void> {
  const passwordHash = config.admin === undefined ? undefined : await hashPassword(config.admin.password);
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('twerk.auth.bootstrap'))");
    const roleId = await ensureRole(tx, { id: newId(), slug: ADMIN_ROLE, name: 'Administrators' });
    if (config.admin === undefined || passwordHash === undefined) return;
    const userId = await upsertUser(tx, { id: newId(), username: config.admin.username, passwordHash });
    await grantRoles(tx, userId, [roleId]);
  });
}
