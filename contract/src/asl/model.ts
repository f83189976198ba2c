/**
 * One model for both dialects. Error names are normalized to AWS spelling (`States.ALL`,
 * `States.TaskFailed`, …); Twerk's lowercase codes (`all`, `taskfailed`) map onto them, custom names
 * stay as written. Retry fields get AWS's defaults where the dialect allows leaving them out.
 */
export type MachineDialect = 'twerk' | 'aws';

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
  readonly resultPath?: string | null;
}

export type ChoiceCondition =
  | { readonly kind: 'expression'; readonly text: string }
  | { readonly kind: 'compare'; readonly variable: string; readonly operator: string; readonly value: unknown }
  | { readonly kind: 'and' | 'or'; readonly conditions: readonly ChoiceCondition[] }
  | { readonly kind: 'not'; readonly condition: ChoiceCondition };

export interface ChoiceRule {
  readonly condition: ChoiceCondition;
  readonly next: string;
}

interface StateBase {
  readonly comment?: string;
  readonly inputPath?: string | null;
  readonly outputPath?: string | null;
}

interface Transition {
  readonly next?: string;
  readonly end?: true;
}

export type MachineState =
  | (StateBase & Transition & {
      readonly type: 'task';
      readonly image: string;
      readonly run: string;
      readonly env?: Readonly<Record<string, string>>;
      readonly var?: string;
      readonly timeoutSeconds?: number;
      readonly heartbeatSeconds?: number;
      readonly retry: readonly Retrier[];
      readonly catch: readonly Catcher[];
      readonly resultPath?: string | null;
    })
  | (StateBase & Transition & { readonly type: 'pass'; readonly result?: unknown; readonly resultPath?: string | null })
  | (StateBase & { readonly type: 'choice'; readonly choices: readonly ChoiceRule[]; readonly default?: string })
  | (StateBase & Transition & { readonly type: 'wait'; readonly seconds?: number; readonly timestamp?: string; readonly secondsPath?: string; readonly timestampPath?: string })
  | (StateBase & { readonly type: 'succeed' })
  | (StateBase & { readonly type: 'fail'; readonly error?: string; readonly cause?: string })
  | (StateBase & Transition & { readonly type: 'parallel'; readonly branches: readonly Machine[]; readonly retry: readonly Retrier[]; readonly catch: readonly Catcher[]; readonly resultPath?: string | null })
  | (StateBase &
      Transition & {
        readonly type: 'map';
        readonly itemsPath?: string;
        readonly itemProcessor?: Machine;
        readonly maxConcurrency?: number;
        readonly toleratedFailurePercentage?: number;
        readonly retry: readonly Retrier[];
        readonly catch: readonly Catcher[];
        readonly resultPath?: string | null;
      })
  /** Only ever seen by validation, which rejects it. */
  | (StateBase & { readonly type: 'switch' });

export interface Machine {
  readonly dialect: MachineDialect;
  readonly comment?: string;
  readonly startAt: string;
  /** In document order. */
  readonly states: Readonly<Record<string, MachineState>>;
  readonly timeoutSeconds?: number;
}

export const ALL_ERRORS = 'States.ALL';

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
