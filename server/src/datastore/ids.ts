import { randomUUID } from 'node:crypto';

/** Tork's id format: a UUID v4 as 32 hex digits without dashes. */
export function newId(): string {
  return randomUUID().replaceAll('-', '');
}
