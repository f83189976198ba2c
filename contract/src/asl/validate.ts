/**
 * The rules that span states, which no per-state schema can check: `startAt` and every transition
 * (`next`, choice rules, `default`, catchers) name a state of the same scope, every state is reachable
 * from `startAt`, and some reachable state ends the execution. Loops are legal ASL and are not
 * reported. Parallel branches and Map processors are scopes of their own, checked the same way.
 *
 * A state whose own fields are invalid still takes part (its name exists, the transitions it spells
 * are followed), so one document gets all of its problems reported at once, not the schema's first.
 * Paths are spelled the way the user wrote the document.
 */
import { fieldError, type FieldError, type PathSegment } from '../errors.ts';
import type { Machine, MachineDialect, MachineState } from './model.ts';
import { AT_LEAST_ONE_STATE } from './rules.ts';

/** A transition out of a state, with its path inside the state in the user's spelling. */
interface Edge {
  readonly target: string;
  readonly path: readonly PathSegment[];
}

/** A state as these rules see it: parsed into the model, or (its own fields invalid) only the transitions its document spells. */
export type ScopeState = { readonly parsed: MachineState; readonly raw?: unknown } | { readonly parsed?: undefined; readonly edges: readonly Edge[] };

export interface Scope {
  readonly dialect: MachineDialect;
  /** Undefined when the document's own startAt is missing or not a name (the schema reports that). */
  readonly startAt: string | undefined;
  readonly states: ReadonlyMap<string, ScopeState>;
}

/** A model key as the dialect spells it (the Twerk dialect's keys are the model's). */
export function spell(dialect: MachineDialect, key: string): string {
  return dialect === 'twerk' ? key : key.charAt(0).toUpperCase() + key.slice(1);
}

/** The cross-state rules for a machine built in code (the SDK); documents go through `parseMachine`. */
export function validateMachine(machine: Machine): FieldError[] {
  return validateScope(scopeOf(machine, undefined), []);
}

function scopeOf(machine: Machine, raw: unknown): Scope {
  const rawStates = field(raw, spell(machine.dialect, 'states'));
  const states = new Map<string, ScopeState>();
  for (const [name, state] of Object.entries(machine.states)) states.set(name, { parsed: state, raw: field(rawStates, name) });
  return { dialect: machine.dialect, startAt: machine.startAt, states };
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

function parsedEdges(state: MachineState, dialect: MachineDialect): Edge[] {
  const key = (name: string): string => spell(dialect, name);
  const edges: Edge[] = [];
  if ('next' in state && state.next !== undefined) edges.push({ target: state.next, path: [key('next')] });
  if (state.type === 'choice') {
    state.choices.forEach((rule, index) => edges.push({ target: rule.next, path: [key('choices'), index, key('next')] }));
    if (state.default !== undefined) edges.push({ target: state.default, path: [key('default')] });
  }
  if ('catch' in state) state.catch.forEach((rule, index) => edges.push({ target: rule.next, path: [key('catch'), index, key('next')] }));
  return edges;
}

/** The transitions an invalid state's document spells, as far as they can be read. */
export function rawEdges(raw: unknown, dialect: MachineDialect): Edge[] {
  const key = (name: string): string => spell(dialect, name);
  const edges: Edge[] = [];
  const name = (value: unknown, path: PathSegment[]): void => {
    if (typeof value === 'string') edges.push({ target: value, path });
  };
  name(field(raw, key('next')), [key('next')]);
  name(field(raw, key('default')), [key('default')]);
  for (const list of ['choices', 'catch']) {
    const rules = field(raw, key(list));
    if (Array.isArray(rules)) rules.forEach((rule: unknown, index) => name(field(rule, key('next')), [key(list), index, key('next')]));
  }
  return edges;
}

function quoteList(names: readonly string[]): string {
  const shown = names.slice(0, 10).map((name) => JSON.stringify(name));
  return names.length > shown.length ? `${shown.join(', ')}, …` : shown.join(', ');
}

export function validateScope(scope: Scope, base: readonly PathSegment[]): FieldError[] {
  const { dialect, startAt, states } = scope;
  const errors: FieldError[] = [];
  const report = (path: readonly PathSegment[], message: string): void => void errors.push(fieldError([...base, ...path], message));
  const statesKey = spell(dialect, 'states');
  const startAtKey = spell(dialect, 'startAt');
  const names = [...states.keys()];

  if (names.length === 0) {
    report([statesKey], AT_LEAST_ONE_STATE);
    return errors;
  }
  if (startAt !== undefined && !states.has(startAt)) report([startAtKey], `names no state: ${JSON.stringify(startAt)} is not one of ${quoteList(names)}`);

  const edgesOf = new Map<string, Edge[]>();
  for (const [name, entry] of states) {
    const edges = entry.parsed === undefined ? [...entry.edges] : parsedEdges(entry.parsed, dialect);
    edgesOf.set(name, edges);
    for (const edge of edges) if (!states.has(edge.target)) report([statesKey, name, ...edge.path], `names no state: ${JSON.stringify(edge.target)}`);
    if (entry.parsed !== undefined) errors.push(...nestedScopes(entry.parsed, entry.raw, dialect, [...base, statesKey, name]));
  }

  if (base.length === 0 && dialect === 'aws') errors.push(...duplicateNames(scope));

  if (startAt === undefined || !states.has(startAt)) return errors;
  const reached = new Set<string>([startAt]);
  const queue = [startAt];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const { target } of edgesOf.get(next) ?? []) {
      if (states.has(target) && !reached.has(target)) {
        reached.add(target);
        queue.push(target);
      }
    }
  }
  for (const name of names) if (!reached.has(name)) report([statesKey, name], `is unreachable from ${startAtKey} ${JSON.stringify(startAt)}`);

  // Only say "never ends" when the whole reachable graph is known: an invalid state might be the one that
  // ends, and a transition to a missing state (already reported) was presumably meant to lead to an end.
  const reachable = [...reached].map((name) => states.get(name));
  const dangling = [...reached].some((name) => (edgesOf.get(name) ?? []).some((edge) => !states.has(edge.target)));
  const known = !dangling && reachable.every((entry) => entry?.parsed !== undefined);
  const ends = reachable.some((entry) => entry?.parsed !== undefined && isTerminal(entry.parsed));
  if (known && !ends) {
    report([statesKey], `no reachable state ends the execution: add a ${spell(dialect, 'succeed')} or ${spell(dialect, 'fail')} state, or ${spell(dialect, 'end')}: true`);
  }
  return errors;
}

/**
 * Standard ASL wants every state name unique in the whole machine, branches and item processors
 * included, and AWS refuses a machine that repeats one; so do we, for that dialect, so that what we
 * accept runs there too. Twerk's dialect allows it (YAML aliases reuse a branch; executions tell the
 * states apart by where they are). Each later use is reported, with where the name was first used.
 */
function duplicateNames(scope: Scope): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Map<string, readonly PathSegment[]>();
  const visit = (states: Iterable<readonly [string, MachineState | undefined]>, path: readonly PathSegment[]): void => {
    const statesKey = spell(scope.dialect, 'states');
    for (const [name, state] of states) {
      const at = [...path, statesKey, name];
      const first = seen.get(name);
      if (first !== undefined) errors.push(fieldError(at, `uses the state name ${JSON.stringify(name)} again (first at ${fieldError(first, '').path}): state names must be unique in the whole machine`));
      else seen.set(name, at);
      if (state?.type === 'parallel') state.branches.forEach((branch, index) => visit(Object.entries(branch.states), [...at, spell(scope.dialect, 'branches'), index]));
      if (state?.type === 'map') visit(Object.entries(state.itemProcessor.states), [...at, spell(scope.dialect, 'itemProcessor')]);
    }
  };
  visit([...scope.states].map(([name, entry]) => [name, entry.parsed] as const), []);
  return errors;
}

function isTerminal(state: MachineState): boolean {
  return state.type === 'succeed' || state.type === 'fail' || ('end' in state && state.end === true);
}

function nestedScopes(state: MachineState, raw: unknown, dialect: MachineDialect, path: readonly PathSegment[]): FieldError[] {
  if (state.type === 'parallel') {
    const key = spell(dialect, 'branches');
    const rawBranches = field(raw, key);
    return state.branches.flatMap((branch, index) => validateScope(scopeOf(branch, Array.isArray(rawBranches) ? rawBranches[index] : undefined), [...path, key, index]));
  }
  if (state.type === 'map') {
    // AWS still accepts the processor's legacy name, Iterator; report under the name the user wrote.
    const key = dialect === 'aws' && field(raw, 'Iterator') !== undefined ? 'Iterator' : spell(dialect, 'itemProcessor');
    return validateScope(scopeOf(state.itemProcessor, field(raw, key)), [...path, key]);
  }
  return [];
}
