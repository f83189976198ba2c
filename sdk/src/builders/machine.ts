/**
 * State machines in code, in Twerk's camelCase dialect of the Amazon States Language (seed 001).
 * The state types come from the contract's dialect schema. Each state builder remembers, in its type,
 * the names of the states it can move to (`next`, `default`, choice rules, catchers), and `machine`
 * refuses to compile when one of them is not among its states or `startAt` is not; the contract's
 * validator then checks the rest (reachability, terminals, Retry/Catch rules) when `machine` runs.
 */
import { parseMachine, type TwerkMachine, type TwerkState } from '@twerk/contract';
import { seal, TwerkBuildError, type Built } from './built.ts';
import type { Immutable } from './job.ts';

type StateType = TwerkState['type'];
type StateOf<Type extends StateType> = Extract<TwerkState, { readonly type: Type }>;

/** Only a type: the state names a built state may move to. */
export declare const stateTargets: unique symbol;
interface Targets<Names extends string> {
  readonly [stateTargets]: Names;
}

/** A state made by a builder. */
export type BuiltState<Type extends StateType = StateType, Names extends string = string> = StateOf<Type> & Targets<Names>;
export type BuiltMachine = Built<TwerkMachine, 'machine'>;

/** Moving on, or ending: exactly one of the two. */
type Transition<Next extends string> = { readonly next: Next; readonly end?: never } | { readonly end: true; readonly next?: never };

type Catcher = NonNullable<StateOf<'task'>['catch']>[number];
type Retrier = NonNullable<StateOf<'task'>['retry']>[number];
type CatcherSpec<Next extends string> = Omit<Catcher, 'next'> & { readonly next: Next };
type ChoiceRuleSpec<Next extends string> = Omit<StateOf<'choice'>['choices'][number], 'next'> & { readonly next: Next };

type Fields<Type extends StateType, Without extends PropertyKey = never> = Immutable<Omit<StateOf<Type>, 'type' | 'next' | 'end' | 'catch' | Without>>;

export type TaskStateSpec<Next extends string> = Fields<'task'> & Transition<Next> & { readonly catch?: readonly CatcherSpec<Next>[] };
export type PassStateSpec<Next extends string> = Fields<'pass'> & Transition<Next>;
export type ChoiceStateSpec<Next extends string> = Omit<StateOf<'choice'>, 'type' | 'choices' | 'default'> & {
  readonly choices: readonly ChoiceRuleSpec<Next>[];
  readonly default?: Next;
};
type WaitFor =
  | { readonly seconds: number; readonly timestamp?: never; readonly seconds_path?: never; readonly timestamp_path?: never }
  | { readonly timestamp: string; readonly seconds?: never; readonly seconds_path?: never; readonly timestamp_path?: never }
  | { readonly seconds_path: string; readonly seconds?: never; readonly timestamp?: never; readonly timestamp_path?: never }
  | { readonly timestamp_path: string; readonly seconds?: never; readonly timestamp?: never; readonly seconds_path?: never };
export type WaitStateSpec<Next extends string> = Fields<'wait', 'seconds' | 'timestamp' | 'seconds_path' | 'timestamp_path'> & WaitFor & Transition<Next>;
export type SucceedStateSpec = Fields<'succeed'>;
export type FailStateSpec = Fields<'fail'>;
export type ParallelStateSpec<Next extends string> = Fields<'parallel', 'branches'> &
  Transition<Next> & { readonly branches: readonly BuiltMachine[]; readonly catch?: readonly CatcherSpec<Next>[] };
export type MapStateSpec<Next extends string> = Fields<'map', 'itemProcessor'> &
  Transition<Next> & { readonly itemProcessor: BuiltMachine; readonly catch?: readonly CatcherSpec<Next>[] };

function make<Type extends StateType, Names extends string>(type: Type, spec: object): BuiltState<Type, Names> {
  return { type, ...spec } as unknown as BuiltState<Type, Names>;
}

/** The state builders. Each call is checked against its own spec; `machine` checks how they connect. */
export const state = {
  /** Runs a native Twerk task on a worker; its TWERK_OUTPUT is the state's result. */
  task: <const Next extends string = never>(spec: TaskStateSpec<Next>) => make<'task', Next>('task', spec),
  pass: <const Next extends string = never>(spec: PassStateSpec<Next>) => make<'pass', Next>('pass', spec),
  /** Rules are tried in order; `default` when none matches (else the machine fails with States.NoChoiceMatched). */
  choice: <const Next extends string>(spec: ChoiceStateSpec<Next>) => make<'choice', Next>('choice', spec),
  wait: <const Next extends string = never>(spec: WaitStateSpec<Next>) => make<'wait', Next>('wait', spec),
  succeed: (spec: SucceedStateSpec = {}) => make<'succeed', never>('succeed', spec),
  fail: (spec: FailStateSpec = {}) => make<'fail', never>('fail', spec),
  /** Runs every branch (a machine of its own) concurrently; the output is the array of branch outputs. */
  parallel: <const Next extends string = never>(spec: ParallelStateSpec<Next>) => make<'parallel', Next>('parallel', spec),
  /** Runs `itemProcessor` once per item of `itemsPath`. */
  map: <const Next extends string = never>(spec: MapStateSpec<Next>) => make<'map', Next>('map', spec),
};

const PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*$/;

function operand(path: string): string {
  if (!PATH.test(path)) throw new TypeError(`${JSON.stringify(path)} is not a path like $.field or $.list[0] that a condition can compare`);
  return path;
}

function literal(value: string | number | boolean | null): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * Choice conditions of the Twerk dialect, written for you: each gives the expression the interpreter
 * evaluates, with `$` the state's input (`cond.gt('$.size', 10)` → `$.size > 10`).
 */
export const cond = {
  eq: (path: string, value: string | number | boolean | null) => `${operand(path)} == ${literal(value)}`,
  ne: (path: string, value: string | number | boolean | null) => `${operand(path)} != ${literal(value)}`,
  lt: (path: string, value: number | string) => `${operand(path)} < ${literal(value)}`,
  lte: (path: string, value: number | string) => `${operand(path)} <= ${literal(value)}`,
  gt: (path: string, value: number | string) => `${operand(path)} > ${literal(value)}`,
  gte: (path: string, value: number | string) => `${operand(path)} >= ${literal(value)}`,
  /** The two paths hold equal values. */
  samePath: (path: string, other: string) => `${operand(path)} == ${operand(other)}`,
  present: (path: string) => `${operand(path)} != nil`,
  matches: (path: string, regex: string) => `${operand(path)} matches ${JSON.stringify(regex)}`,
  and: (...conditions: readonly [string, string, ...string[]]) => conditions.map((condition) => `(${condition})`).join(' and '),
  or: (...conditions: readonly [string, string, ...string[]]) => conditions.map((condition) => `(${condition})`).join(' or '),
  not: (condition: string) => `not (${condition})`,
};

/** A Retrier with AWS's defaults for what is left out (1 s, 3 attempts, rate 2), as the Twerk dialect needs all four. */
export function retrier(errorEquals: readonly [string, ...string[]], options: Partial<Omit<Retrier, 'errorEquals'>> = {}): Retrier {
  return { errorEquals: [...errorEquals], intervalSeconds: 1, maxAttempts: 3, backoffRate: 2, ...options };
}

/** The names a state may move to: from a builder's type, or read off an inline state object. */
type TargetsOf<State> = State extends Targets<infer Names>
  ? Names
  :
      | (State extends { readonly next: infer Next extends string } ? Next : never)
      | (State extends { readonly default: infer Default extends string } ? Default : never)
      | (State extends { readonly choices: readonly (infer Rule)[] } ? (Rule extends { readonly next: infer Next extends string } ? Next : never) : never)
      | (State extends { readonly catch: readonly (infer Rule)[] } ? (Rule extends { readonly next: infer Next extends string } ? Next : never) : never);

type MissingTargets<States> = { [Name in keyof States]: Exclude<TargetsOf<States[Name]>, keyof States> }[keyof States];

/** Requires a state for every name a transition mentions; the compiler's message names the missing state. */
type EveryTargetExists<States> = [MissingTargets<States>] extends [never]
  ? unknown
  : { readonly states: { readonly [Missing in MissingTargets<States> & string]: `a transition goes to "${Missing}", which is not a state of this machine` } };

export interface MachineSpec<States> {
  readonly comment?: string;
  readonly startAt: NoInfer<keyof States & string>;
  readonly states: States;
  /** Seconds the whole execution may take. */
  readonly timeout?: number;
}

/** A machine (also a parallel branch or a map's item processor), validated with the contract's ASL rules. */
export function machine<const States extends Readonly<Record<string, Immutable<TwerkState>>>>(spec: MachineSpec<States> & EveryTargetExists<States>): BuiltMachine {
  const parsed = parseMachine(JSON.parse(JSON.stringify(spec)) as unknown);
  if (!parsed.ok) throw new TwerkBuildError(`state machine starting at "${spec.startAt}"`, parsed.error);
  return seal<TwerkMachine, 'machine'>(spec as unknown as TwerkMachine);
}
