/**
 * Turns zod's issues into the field errors users see. zod's defaults ("Expected string, received
 * number", one "Unrecognized key(s)" issue per object) read poorly next to a path; here every problem
 * is one sentence after its path, and every unknown key is its own error, with a suggestion when the
 * key looks like a misspelling of a known one (found by walking the schema along the path).
 */
import type { ZodIssue, ZodTypeAny } from 'zod';
import { z } from './zod.ts';
import { fieldError, type FieldError, type PathSegment } from './errors.ts';

export function issuesToFieldErrors(issues: readonly ZodIssue[], schema: ZodTypeAny): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) errors.push(fieldError([...issue.path, key], unknownKeyMessage(key, known)));
    } else if (issue.code === 'invalid_union' && issue.unionErrors.length > 0 && !hasOwnMessage(issue)) {
      // Report the union member that got furthest (most specific path) rather than "Invalid input".
      const deepest = issue.unionErrors
        .flatMap((error) => error.issues)
        .reduce<ZodIssue | undefined>((best, candidate) => (best === undefined || candidate.path.length > best.path.length ? candidate : best), undefined);
      errors.push(fieldError(issue.path, deepest && deepest.path.length > issue.path.length ? describeIssue(deepest) : describeIssue(issue)));
    } else {
      errors.push(fieldError(issue.path, describeIssue(issue)));
    }
  }
  return dedupe(errors);
}

function hasOwnMessage(issue: ZodIssue): boolean {
  return issue.message !== 'Invalid input';
}

export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const suggestion = closest(key, known);
  return suggestion ? `is not a known field (did you mean "${suggestion}"?)` : 'is not a known field';
}

/** One readable sentence per zod issue; custom issues keep the message their refinement gave. */
export function describeIssue(issue: ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined') return 'is required';
      if (issue.expected === 'integer') return 'must be a whole number';
      return `must be ${article(issue.expected)}, not ${article(issue.received)}`;
    case 'invalid_literal':
      return `must be ${JSON.stringify(issue.expected)}`;
    case 'invalid_enum_value':
      return `must be one of ${issue.options.map((option) => JSON.stringify(option)).join(', ')} (got ${JSON.stringify(issue.received)})`;
    case 'too_small':
      return sizeMessage('at least', issue.minimum, issue.inclusive, issue.type, issue.exact);
    case 'too_big':
      return sizeMessage('at most', issue.maximum, issue.inclusive, issue.type, issue.exact);
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.multipleOf)}`;
    case 'invalid_string':
      return issue.validation === 'url' ? 'must be a URL' : issue.message;
    default:
      return issue.message;
  }
}

function sizeMessage(bound: 'at least' | 'at most', limit: number | bigint, inclusive: boolean, type: string, exact?: boolean): string {
  const n = Number(limit);
  switch (type) {
    case 'array':
      if (bound === 'at least' && n === 1) return 'must not be empty';
      return `must have ${exact ? 'exactly' : bound} ${n} item${n === 1 ? '' : 's'}`;
    case 'string':
      if (bound === 'at least' && n === 1) return 'must not be empty';
      return `must be ${exact ? 'exactly' : bound} ${n} character${n === 1 ? '' : 's'} long`;
    default:
      if (inclusive) return `must be ${bound} ${n}`;
      return `must be ${bound === 'at least' ? 'more than' : 'less than'} ${n}`;
  }
}

function article(type: string): string {
  switch (type) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'null':
      return 'null';
    case 'integer':
      return 'a whole number';
    case 'undefined':
      return 'missing';
    default:
      return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
  }
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.path}\u0000${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The keys an object schema accepts at `path`, found by walking the schema; empty when unknown. */
export function knownKeysAt(schema: ZodTypeAny, path: readonly PathSegment[]): string[] {
  const objects = schemasAt(schema, path, 0);
  return [...new Set(objects.flatMap((object) => Object.keys(object.shape)))];
}

function schemasAt(schema: ZodTypeAny, path: readonly PathSegment[], depth: number): z.AnyZodObject[] {
  if (depth > 64) return [];
  const inner = unwrap(schema);
  if (inner instanceof z.ZodUnion || inner instanceof z.ZodDiscriminatedUnion) {
    return (inner.options as ZodTypeAny[]).flatMap((option) => schemasAt(option, path, depth + 1));
  }
  if (path.length === 0) return inner instanceof z.ZodObject ? [inner] : [];
  const [head, ...rest] = path;
  if (inner instanceof z.ZodObject && typeof head === 'string') {
    const child = (inner.shape as Record<string, ZodTypeAny>)[head];
    return child ? schemasAt(child, rest, depth + 1) : [];
  }
  if (inner instanceof z.ZodArray) return schemasAt(inner.element as ZodTypeAny, rest, depth + 1);
  if (inner instanceof z.ZodRecord) return schemasAt(inner.valueSchema as ZodTypeAny, rest, depth + 1);
  return [];
}

function unwrap(schema: ZodTypeAny): ZodTypeAny {
  let current = schema;
  for (let guard = 0; guard < 32; guard++) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap() as ZodTypeAny;
    else if (current instanceof z.ZodDefault) current = current.removeDefault() as ZodTypeAny;
    else if (current instanceof z.ZodEffects) current = current.innerType() as ZodTypeAny;
    else if (current instanceof z.ZodLazy) current = current.schema as ZodTypeAny;
    else if (current instanceof z.ZodBranded || current instanceof z.ZodReadonly) current = current.unwrap() as ZodTypeAny;
    else if (current instanceof z.ZodPipeline) current = current._def.in as ZodTypeAny;
    else return current;
  }
  return current;
}

/** The known key closest to `key` if it is plausibly a misspelling (case-insensitive edit distance). */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = key.length <= 3 ? 1 : key.length <= 6 ? 2 : 3;
  return best !== undefined && bestDistance <= tolerance ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? Infinity;
}
