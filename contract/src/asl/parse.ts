/** Entry points: tell a machine from a job, and turn either dialect into the validated model. */
import type { ZodTypeAny } from 'zod';
import { contractError, type ContractError, type FieldError } from '../errors.ts';
import { err, ok, type Result } from '../result.ts';
import { awsMachineSchema, awsStateSchema, type AwsMachine } from './aws-dialect.ts';
import { dedupeFieldErrors, machineIssuesToFieldErrors } from './issues.ts';
import type { Machine, MachineDialect } from './model.ts';
import { awsState, fromAws, fromTwerk, twerkState } from './normalize.ts';
import { twerkMachineSchema, twerkStateSchema, type TwerkMachine } from './twerk-dialect.ts';
import { rawEdges, spell, validateScope, type Scope, type ScopeState } from './validate.ts';

function isMapping(tree: unknown): tree is Record<string, unknown> {
  return tree !== null && typeof tree === 'object' && !Array.isArray(tree);
}

/**
 * The dialect a document is written in, or undefined when it is not a state machine. A job has `tasks`
 * and never `states`; a document with either key of a machine (even misspelling the other) is treated
 * as a machine so its errors speak about machines. PascalCase wins when keys of both dialects appear.
 */
export function machineDialectOf(tree: unknown): MachineDialect | undefined {
  if (!isMapping(tree) || 'tasks' in tree) return undefined;
  if ('States' in tree || 'StartAt' in tree) return 'aws';
  if ('states' in tree || 'startAt' in tree) return 'twerk';
  return undefined;
}

export function isMachineDocument(tree: unknown): boolean {
  return machineDialectOf(tree) !== undefined;
}

/** Never throws: every problem of the document comes back as a field error, in the user's spelling. */
export function parseMachine(tree: unknown): Result<Machine, ContractError> {
  const dialect = machineDialectOf(tree);
  if (dialect === undefined) {
    return err(contractError([{ path: '', message: 'a state machine must be a mapping with startAt and states (or StartAt and States)' }]));
  }
  const shape = shapeProblem(tree);
  if (shape !== undefined) return err(contractError([{ path: '', message: shape }]));
  const schema: ZodTypeAny = dialect === 'aws' ? awsMachineSchema : twerkMachineSchema;
  const parsed = schema.safeParse(tree);
  const errors: FieldError[] = parsed.success ? [] : machineIssuesToFieldErrors(parsed.error.issues, schema, tree, dialect);
  const scope = scopeOfDocument(tree, dialect);
  if (scope !== undefined) errors.push(...validateScope(scope, []));
  if (errors.length > 0 || !parsed.success) return err(contractError(dedupeFieldErrors(errors)));
  return ok(dialect === 'aws' ? fromAws(parsed.data as AwsMachine) : fromTwerk(parsed.data as TwerkMachine));
}

/**
 * The top-level scope for the cross-state rules, built state by state so one invalid state does not
 * hide the rest: a state its schema accepts is normalized; one it refuses keeps only its transitions.
 */
function scopeOfDocument(tree: unknown, dialect: MachineDialect): Scope | undefined {
  if (!isMapping(tree)) return undefined;
  const rawStates = tree[spell(dialect, 'states')];
  if (!isMapping(rawStates)) return undefined;
  const startAt = tree[spell(dialect, 'startAt')];
  const states = new Map<string, ScopeState>();
  for (const [name, raw] of Object.entries(rawStates)) {
    states.set(name, parseState(raw, dialect));
  }
  return { dialect, startAt: typeof startAt === 'string' ? startAt : undefined, states };
}

function parseState(raw: unknown, dialect: MachineDialect): ScopeState {
  if (dialect === 'aws') {
    const state = awsStateSchema.safeParse(raw);
    return state.success ? { parsed: awsState(state.data), raw } : { edges: rawEdges(raw, dialect) };
  }
  const state = twerkStateSchema.safeParse(raw);
  return state.success ? { parsed: twerkState(state.data), raw } : { edges: rawEdges(raw, dialect) };
}

/** Deep enough for any real machine (each nested branch costs about four levels), shallow enough for the call stack. */
export const MAX_MACHINE_DEPTH = 256;

/**
 * Trees from YAML are bounded by the document reader, but a tree built in code can be as deep as it
 * likes, or refer to itself, and the recursive schemas would then exhaust the stack. Checked first, in
 * one pass (shared subtrees are measured once), so parseMachine keeps its promise never to throw.
 */
function shapeProblem(tree: unknown): string | undefined {
  const height = new Map<object, number>();
  const open = new Set<object>();
  let problem: string | undefined;
  const measure = (value: unknown, depth: number): number => {
    if (problem !== undefined || value === null || typeof value !== 'object') return 0;
    const known = height.get(value);
    if (known !== undefined) {
      if (depth + known > MAX_MACHINE_DEPTH + 1) problem = `a state machine may nest at most ${MAX_MACHINE_DEPTH} levels deep`;
      return known;
    }
    if (open.has(value)) {
      problem = 'a state machine cannot contain itself (the document refers back to one of its own parts)';
      return 0;
    }
    if (depth > MAX_MACHINE_DEPTH) {
      problem = `a state machine may nest at most ${MAX_MACHINE_DEPTH} levels deep`;
      return 0;
    }
    open.add(value);
    let deepest = 0;
    for (const child of Object.values(value)) deepest = Math.max(deepest, measure(child, depth + 1));
    open.delete(value);
    height.set(value, deepest + 1);
    return deepest + 1;
  };
  measure(tree, 0);
  return problem;
}
