/**
 * Field types and per-state rules both dialects share. The rules run as zod refinements, so the
 * exported schemas enforce them too (the REST contract validates bodies with them), and each is given
 * the dialect's own key names so a problem is reported where the user wrote it.
 */
import type { RefinementCtx } from 'zod';
import type { PathSegment } from '../errors.ts';
import { z } from '../zod.ts';
import { ALL_ERRORS, normalizeErrorName, PREDEFINED_ERRORS, type MachineDialect } from './model.ts';

/** AWS's limit (research/landscape.md §4.1); Twerk allows 256 bytes, but a name must work in both dialects. */
export const MAX_STATE_NAME_LENGTH = 80;
export const AT_LEAST_ONE_STATE = 'must have at least one state';

export const stateName = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_STATE_NAME_LENGTH, `must be at most ${MAX_STATE_NAME_LENGTH} characters long`)
  .refine((value) => value.trim() !== '', 'must not be blank');

export const jsonPath = z.string().regex(/^\$/, 'must be a JSONPath starting with "$"');

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Wait timestamps and Timestamp comparisons are RFC 3339 in ASL; the executor has to read them, so they are checked here. */
export const timestamp = z
  .string()
  .refine((value) => RFC3339.test(value) && !Number.isNaN(Date.parse(value)), 'must be an RFC 3339 timestamp, e.g. "2026-01-31T12:00:00Z"');

/** The keys of the fields these rules look at, as one dialect spells them. */
export interface Spelling {
  readonly dialect: MachineDialect;
  readonly errorEquals: string;
  readonly next: string;
  readonly end: string;
  readonly timeout: string;
  readonly heartbeat: string;
}

interface RecoveryRule {
  readonly errorEquals: readonly string[];
}

/**
 * Retry and Catch lists: the catch-all (`States.ALL`, Twerk's `all`) alone in its list and in the last
 * rule, as ASL requires (a later rule could never match), and no invented `States.` names.
 */
export function checkRecoveryList(rules: readonly RecoveryRule[], what: 'retrier' | 'catcher', spelling: Spelling, ctx: RefinementCtx): void {
  rules.forEach((rule, index) => {
    const path = [index, spelling.errorEquals];
    rule.errorEquals.forEach((name, position) => {
      const normalized = normalizeErrorName(name, spelling.dialect);
      if (normalized === ALL_ERRORS) {
        if (rule.errorEquals.length > 1) issue(ctx, path, `${JSON.stringify(name)} matches every error, so it must be the only name in its list`);
        if (index !== rules.length - 1) issue(ctx, path, `a ${what} for ${JSON.stringify(name)} must be the last one: the ones after it could never match`);
      } else if (normalized.startsWith('States.') && !PREDEFINED_ERRORS.includes(normalized)) {
        issue(ctx, [...path, position], `${JSON.stringify(name)} is not a predefined error: names starting with "States." are reserved`);
      }
    });
  });
}

/** Task, Pass, Wait, Parallel and Map states either move on or end, never both, never neither. */
export function checkTransition(next: string | undefined, end: true | undefined, spelling: Spelling, ctx: RefinementCtx): void {
  const hasNext = next !== undefined;
  const hasEnd = end === true;
  if (hasNext && hasEnd) issue(ctx, [spelling.next], `cannot be combined with ${spelling.end}: a state either moves on or ends`);
  else if (!hasNext && !hasEnd) issue(ctx, [], `needs ${spelling.next} or ${spelling.end}: true`);
}

/** A heartbeat that is not shorter than the timeout could never fire before it. */
export function checkHeartbeat(timeout: number | undefined, heartbeat: number | undefined, spelling: Spelling, ctx: RefinementCtx): void {
  if (timeout !== undefined && heartbeat !== undefined && heartbeat >= timeout) issue(ctx, [spelling.heartbeat], `must be less than ${spelling.timeout} (${timeout})`);
}

/** A Wait state waits one way: by seconds or until a timestamp, given directly or through a path. */
export function checkWait(fields: readonly (readonly [key: string, value: unknown])[], ctx: RefinementCtx): void {
  const given = fields.filter(([, value]) => value !== undefined).map(([key]) => key);
  if (given.length === 0) issue(ctx, [], `needs one of ${fields.map(([key]) => key).join(', ')}`);
  else if (given.length > 1) issue(ctx, [], `takes only one of ${given.join(', ')}`);
}

/** Two spellings of one thing (a field and its legacy name, a value and its path) cannot both be given. */
export function checkExclusive(state: Readonly<Record<string, unknown>>, first: string, second: string, ctx: RefinementCtx, why = ''): void {
  if (state[first] !== undefined && state[second] !== undefined) issue(ctx, [second], `cannot be combined with ${first}${why}`);
}

export function issue(ctx: RefinementCtx, path: readonly PathSegment[], message: string): void {
  ctx.addIssue({ code: 'custom', path: [...path], message });
}
