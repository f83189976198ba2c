/**
 * zod's issues, told the way a state-machine author needs them. The generic translation
 * (`issuesToFieldErrors`) says "is not a known field" and "Invalid discriminator value"; for the
 * mistakes people make with ASL it can say more: a `Next` on a terminal state, a `Retry` on a state that
 * cannot retry, a native task field outside `Parameters`, a state type in the other dialect's case,
 * Twerk's `switch`. The document itself is consulted to see which state a key sits on.
 */
import type { ZodIssue, ZodTypeAny } from 'zod';
import { fieldError, type FieldError, type PathSegment } from '../errors.ts';
import { issuesToFieldErrors } from '../zod-issues.ts';
import { AWS_STATE_TYPES } from './aws-dialect.ts';
import type { MachineDialect } from './model.ts';
import { TWERK_STATE_TYPES } from './twerk-dialect.ts';

function valueAt(tree: unknown, path: readonly PathSegment[]): unknown {
  let current = tree;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

function typeKey(dialect: MachineDialect): string {
  return dialect === 'aws' ? 'Type' : 'type';
}

function typeNames(dialect: MachineDialect): readonly string[] {
  return dialect === 'aws' ? AWS_STATE_TYPES : TWERK_STATE_TYPES;
}

/** What to say about a state's `type`/`Type` when it names no state type. */
function typeMessage(state: unknown, dialect: MachineDialect): string {
  const key = typeKey(dialect);
  const value = valueAt(state, [key]);
  const names = typeNames(dialect);
  const list = names.map((name) => JSON.stringify(name)).join(', ');
  if (value === undefined) {
    const other = dialect === 'aws' ? 'type' : 'Type';
    if (valueAt(state, [other]) !== undefined) {
      return `is required (found "${other}": this document is ${dialect === 'aws' ? 'AWS ASL, whose keys are PascalCase' : "in Twerk's dialect, whose keys are camelCase"})`;
    }
    return `is required: one of ${list}`;
  }
  if (typeof value === 'string') {
    // Twerk's stack-VM switch state is not ASL; choice rules say the same thing portably.
    if (value.toLowerCase() === 'switch') return 'switch states are not supported: use a choice state with conditions';
    const sameLetters = names.find((name) => name.toLowerCase() === value.toLowerCase());
    if (sameLetters !== undefined) {
      return `must be ${JSON.stringify(sameLetters)}: ${dialect === 'aws' ? 'state types are capitalized in AWS ASL' : "state types are lowercase in Twerk's dialect"}`;
    }
  }
  return `must be one of ${list} (got ${show(value)})`;
}

/** A value as JSON, for messages; trees built in code may hold values JSON cannot show (bigint, symbols). */
function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

const NATIVE_TASK_FIELDS = new Set(['image', 'run', 'env', 'var']);

/** A better message than "is not a known field" for a key that is known, just not here; undefined when there is none. */
function misplacedKeyMessage(state: unknown, key: string, dialect: MachineDialect): string | undefined {
  const type = valueAt(state, [typeKey(dialect)]);
  if (typeof type !== 'string') return undefined;
  const kind = type.toLowerCase();
  const spelled = (name: string): string => (dialect === 'aws' ? name.charAt(0).toUpperCase() + name.slice(1) : name);
  const name = key.toLowerCase();
  if ((kind === 'succeed' || kind === 'fail') && (name === 'next' || name === 'end')) {
    return `a ${type} state ends the execution: it takes no ${spelled('next')} or ${spelled('end')}`;
  }
  if (kind === 'choice' && (name === 'next' || name === 'end')) {
    return `a ${type} state moves on through its ${spelled('choices')} and ${spelled('default')}: it takes no ${spelled('next')} or ${spelled('end')}`;
  }
  if ((name === 'retry' || name === 'catch') && ['pass', 'choice', 'wait', 'succeed', 'fail'].includes(kind)) {
    const [task, parallel, map] = ['task', 'parallel', 'map'].map(spelled);
    return `only ${task}, ${parallel} and ${map} states can ${name === 'retry' ? 'retry' : 'catch errors'}`;
  }
  if (dialect === 'aws' && kind === 'task' && NATIVE_TASK_FIELDS.has(key)) {
    return `belongs in Parameters: a twerk:task state describes its native task (image, run, env, var) there`;
  }
  return undefined;
}

function dedupe(errors: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.path}\u0000${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function machineIssuesToFieldErrors(issues: readonly ZodIssue[], schema: ZodTypeAny, tree: unknown, dialect: MachineDialect): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union_discriminator') {
      errors.push(fieldError(issue.path, typeMessage(valueAt(tree, issue.path.slice(0, -1)), dialect)));
    } else if (issue.code === 'unrecognized_keys') {
      const owner = valueAt(tree, issue.path);
      const plain: string[] = [];
      for (const key of issue.keys) {
        const message = misplacedKeyMessage(owner, key, dialect);
        if (message === undefined) plain.push(key);
        else errors.push(fieldError([...issue.path, key], message));
      }
      if (plain.length > 0) errors.push(...issuesToFieldErrors([{ ...issue, keys: plain }], schema));
    } else {
      errors.push(...issuesToFieldErrors([issue], schema));
    }
  }
  return dedupe(errors);
}

export { dedupe as dedupeFieldErrors };
