/** The SQL a list adds so that a caller sees only the jobs (or scheduled jobs) they may (auth/policy.ts). */
import type { Visibility } from '../auth/policy.ts';

/**
 * The SQL condition a list adds for a visibility, over a table with `created_by` and a jsonb `document`
 * holding `permissions`; `next` is the number of the first free parameter. Column names are fixed here,
 * never taken from input.
 */
export function visibilityCondition(visibility: Visibility, next: number): { sql: string; params: unknown[] } {
  const user = `$${next}`;
  const roles = `$${next + 1}::text[]`;
  return {
    sql: `(created_by = ${user} OR jsonb_array_length(coalesce(document->'permissions', '[]'::jsonb)) = 0
      OR EXISTS (SELECT 1 FROM jsonb_array_elements(document->'permissions') p WHERE p->>'user' = ${user} OR p->>'role' = ANY(${roles})))`,
    params: [visibility.username, [...visibility.roles]],
  };
}
