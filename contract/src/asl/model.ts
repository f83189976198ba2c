/**
 * One model for both dialects, so the executor has one thing to run. Field names are the Twerk
 * dialect's camelCase with AWS's meaning (`timeoutSeconds`, not Twerk's bare `timeout`), error names are
 * normalized to AWS spelling (`States.ALL`, `States.TaskFailed`, …; Twerk's lowercase codes `all`,
 * `taskfailed` map onto them, custom names stay as written), and Retry fields carry AWS's defaults where
 * a dialect allows leaving them out. Nothing a document may say is dropped: every accepted field has a
 * place here, so the executor can honour it or refuse it, never silently ignore it.
 */
export type MachineDialect = 'twerk' | 'aws';

export const STATE_TYPES = ['task', 'pass', 'choice', 'wait', 'succeed', 'fail', 'parallel', 'map'] as const;
export type StateType = (typeof STATE_TYPES)[number];

/** AWS's defaults (research/landscape.md §4.6), used when the AWS dialect leaves a field out. */
export const RETRY_DEFAULTS = { intervalSeconds: 1, maxAttempts: 3, backoffRate: 2, jitterStrategy: 'NONE' } as const;

export interface Retrier {
  readonly errorEquals: readonly string[];
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
  readonly maxDelaySeconds?: number;
  readonly jitterStrategy: 'FULL' | 'NONE';
}

export interface Catcher {
  readonly errorEquals: readonly string[];
  readonly next: string;
  /** `null` discards the error output (AWS); absent means ASL's default `$`. */
  readonly resultPath?: string | null;
  readonly assign?: Readonly<Record<string, unknown>>;
}

/**
 * A Choice rule's test. `expression` is an opaque boolean expression (the Twerk dialect's `condition`,
 * AWS's `Condition`); `compare` is one AWS comparison operator applied to `variable` (`…Path` operators
 * keep their name and carry the other path as `value`).
 */
export type ChoiceCondition =
  | { readonly kind: 'expression'; readonly text: string }
  | { readonly kind: 'compare'; readonly variable: string; readonly operator: string; readonly value: unknown }
  | { readonly kind: 'and' | 'or'; readonly conditions: readonly ChoiceCondition[] }
  | { readonly kind: 'not'; readonly condition: ChoiceCondition };

export interface ChoiceRule {
  readonly condition: ChoiceCondition;
  readonly next: string;
  readonly assign?: Readonly<Record<string, unknown>>;
}

interface StateBase {
  readonly comment?: string;
  /** `null` means "an empty input" in AWS; absent means `$`. */
  readonly inputPath?: string | null;
  readonly outputPath?: string | null;
  /** Workflow variables set when the state finishes (Twerk: name → expression; AWS: name → value or template). */
  readonly assign?: Readonly<Record<string, unknown>>;
}

/** Exactly one of the two is present on states that move on (the schemas guarantee it). */
interface Transition {
  readonly next?: string;
  readonly end?: true;
}

interface Recovery {
  readonly retry: readonly Retrier[];
  readonly catch: readonly Catcher[];
}

export interface TaskState extends StateBase, Transition, Recovery {
  readonly type: 'task';
  /** The native task the state runs (Twerk: on the state; AWS: in `Parameters` of `Resource: twerk:task`). */
  readonly image: string;
  readonly run: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly var?: string;
  readonly timeoutSeconds?: number;
  readonly heartbeatSeconds?: number;
  readonly resultSelector?: Readonly<Record<string, unknown>>;
  readonly resultPath?: string | null;
}

export interface PassState extends StateBase, Transition {
  readonly type: 'pass';
  readonly result?: unknown;
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly resultPath?: string | null;
}

export interface ChoiceState extends StateBase {
  readonly type: 'choice';
  readonly choices: readonly ChoiceRule[];
  readonly default?: string;
}

/** Exactly one of the four waits is present (the schemas guarantee it). */
export interface WaitState extends StateBase, Transition {
  readonly type: 'wait';
  readonly seconds?: number;
  /** RFC 3339. */
  readonly timestamp?: string;
  readonly secondsPath?: string;
  readonly timestampPath?: string;
}

export interface SucceedState extends StateBase {
  readonly type: 'succeed';
}

export interface FailState {
  readonly type: 'fail';
  readonly comment?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly errorPath?: string;
  readonly causePath?: string;
}

export interface ParallelState extends StateBase, Transition, Recovery {
  readonly type: 'parallel';
  readonly branches: readonly Machine[];
  /** Twerk's `failFast`; absent means ASL's behaviour, which is to stop the other branches on a failure. */
  readonly failFast?: boolean;
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly resultSelector?: Readonly<Record<string, unknown>>;
  readonly resultPath?: string | null;
}

export interface MapState extends StateBase, Transition, Recovery {
  readonly type: 'map';
  /** A JSONPath in AWS; an expression in the Twerk dialect (twerk.md §2.6). Absent means `$`. */
  readonly itemsPath?: string;
  /** AWS's `ItemProcessor` or its legacy name `Iterator`; Twerk's `itemProcessor`. */
  readonly itemProcessor: Machine;
  /** AWS's `ItemSelector` or its legacy name `Parameters`. */
  readonly itemSelector?: Readonly<Record<string, unknown>>;
  /** 0 means no limit. */
  readonly maxConcurrency?: number;
  readonly toleratedFailurePercentage?: number;
  readonly resultSelector?: Readonly<Record<string, unknown>>;
  readonly resultPath?: string | null;
}

export type MachineState = TaskState | PassState | ChoiceState | WaitState | SucceedState | FailState | ParallelState | MapState;

export interface Machine {
  /** The dialect the document was written in: error paths and messages use its spelling. */
  readonly dialect: MachineDialect;
  readonly comment?: string;
  readonly startAt: string;
  /** In document order. */
  readonly states: Readonly<Record<string, MachineState>>;
  /** Ceiling for the whole execution (AWS `TimeoutSeconds`, Twerk `timeout`). */
  readonly timeoutSeconds?: number;
  /** AWS `Version` (the ASL version, "1.0"). */
  readonly version?: string;
}

export const ALL_ERRORS = 'States.ALL';

/** Error names AWS reserves (research/landscape.md §4.6); any other name starting with `States.` is refused. */
export const PREDEFINED_ERRORS: readonly string[] = [
  ALL_ERRORS,
  'States.Timeout',
  'States.HeartbeatTimeout',
  'States.TaskFailed',
  'States.Permissions',
  'States.ResultPathMatchFailure',
  'States.ParameterPathFailure',
  'States.QueryEvaluationError',
  'States.BranchFailed',
  'States.NoChoiceMatched',
  'States.IntrinsicFailure',
  'States.ExceedToleratedFailureThreshold',
  'States.ItemReaderFailed',
  'States.ResultWriterFailed',
  'States.DataLimitExceeded',
  'States.Runtime',
  'States.Http.Socket',
];

/** Twerk's known error codes (twerk.md §2.7), matched case-insensitively. */
const TWERK_ERROR_CODES: Readonly<Record<string, string>> = {
  all: ALL_ERRORS,
  timeout: 'States.Timeout',
  taskfailed: 'States.TaskFailed',
  permissions: 'States.Permissions',
  resultpathmatchfailure: 'States.ResultPathMatchFailure',
  parameterpathfailure: 'States.ParameterPathFailure',
  branchfailed: 'States.BranchFailed',
  nochoicematched: 'States.NoChoiceMatched',
  intrinsicfailure: 'States.IntrinsicFailure',
  heartbeattimeout: 'States.HeartbeatTimeout',
};

export function normalizeErrorName(name: string, dialect: MachineDialect): string {
  return dialect === 'twerk' ? (TWERK_ERROR_CODES[name.toLowerCase()] ?? name) : name;
}
