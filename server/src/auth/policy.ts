/**
 * Who may see and act on a job or a scheduled job (research/tork.md §1.8): the admin role sees
 * everything; otherwise the one who created it, and — when it lists `permissions` — the users and
 * roles it names, or — when it lists none — every signed-in user, as in Tork. Without auth there is no
 * principal, and everything is visible.
 */
import type { Principal } from './authenticate.ts';

export interface Guarded {
  readonly createdBy: string | null;
  readonly permissions?: readonly { readonly user?: string | undefined; readonly role?: string | undefined }[] | undefined;
}

export function mayAccess(principal: Principal | undefined, subject: Guarded): boolean {
  if (principal === undefined || principal.admin) return true;
  if (subject.createdBy !== null && subject.createdBy === principal.username) return true;
  const permissions = subject.permissions ?? [];
  if (permissions.length === 0) return true;
  return permissions.some((permission) => permission.user === principal.username || (permission.role !== undefined && principal.roles.includes(permission.role)));
}

/** What list queries filter by: nothing for no principal or an administrator. */
export interface Visibility {
  readonly username: string;
  readonly roles: readonly string[];
}

export function visibilityOf(principal: Principal | undefined): Visibility | undefined {
  return principal === undefined || principal.admin ? undefined : { username: principal.username, roles: principal.roles };
}
