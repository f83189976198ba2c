/**
 * From either dialect's validated document to the one model. Only called on data the dialect's schema
 * accepted, so the shape rules (one of Next/End, one Wait field, a Map processor, …) already hold.
 */
import type { AwsBranch, AwsChoiceRule, AwsMachine, AwsState } from './aws-dialect.ts';
import { AWS_OPERATORS } from './aws-dialect.ts';
import { normalizeErrorName, RETRY_DEFAULTS, type Catcher, type ChoiceCondition, type Machine, type MachineDialect, type MachineState, type Retrier } from './model.ts';
import type { TwerkMachine, TwerkState } from './twerk-dialect.ts';

/** Leaves absent fields out (rather than present and undefined), so models compare equal whichever dialect they came from. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}

interface RetrierLike {
  readonly errorEquals: readonly string[];
  readonly intervalSeconds?: number | undefined;
  readonly maxAttempts?: number | undefined;
  readonly backoffRate?: number | undefined;
  readonly maxDelaySeconds?: number | undefined;
  readonly jitterStrategy?: 'FULL' | 'NONE' | undefined;
}

interface CatcherLike {
  readonly errorEquals: readonly string[];
  readonly next: string;
  readonly resultPath?: string | null | undefined;
  readonly assign?: Readonly<Record<string, unknown>> | undefined;
}

function retrier(input: RetrierLike, dialect: MachineDialect): Retrier {
  return defined({
    errorEquals: input.errorEquals.map((name) => normalizeErrorName(name, dialect)),
    intervalSeconds: input.intervalSeconds ?? RETRY_DEFAULTS.intervalSeconds,
    maxAttempts: input.maxAttempts ?? RETRY_DEFAULTS.maxAttempts,
    backoffRate: input.backoffRate ?? RETRY_DEFAULTS.backoffRate,
    maxDelaySeconds: input.maxDelaySeconds,
    jitterStrategy: input.jitterStrategy ?? RETRY_DEFAULTS.jitterStrategy,
  });
}

function catcher(input: CatcherLike, dialect: MachineDialect): Catcher {
  return defined({ errorEquals: input.errorEquals.map((name) => normalizeErrorName(name, dialect)), next: input.next, resultPath: input.resultPath, assign: input.assign });
}

export function fromTwerk(machine: TwerkMachine): Machine {
  const states: Record<string, MachineState> = {};
  for (const [name, state] of Object.entries(machine.states)) states[name] = twerkState(state);
  return defined({ dialect: 'twerk' as const, comment: machine.comment, startAt: machine.startAt, states, timeoutSeconds: machine.timeout });
}

export function twerkState(state: TwerkState): MachineState {
  const base = { comment: state.comment, inputPath: 'inputPath' in state ? state.inputPath : undefined, outputPath: 'outputPath' in state ? state.outputPath : undefined, assign: 'assign' in state ? state.assign : undefined };
  const recovery = (retry: readonly RetrierLike[] | undefined, catches: readonly CatcherLike[] | undefined) => ({
    retry: (retry ?? []).map((item) => retrier(item, 'twerk')),
    catch: (catches ?? []).map((item) => catcher(item, 'twerk')),
  });
  switch (state.type) {
    case 'task':
      return defined({
        ...base, type: 'task', image: state.image, run: state.run, env: state.env, var: state.var, timeoutSeconds: state.timeout, heartbeatSeconds: state.heartbeat,
        ...recovery(state.retry, state.catch), resultPath: state.resultPath, next: state.next, end: state.end,
      });
    case 'pass':
      return defined({ ...base, type: 'pass', result: state.result, resultPath: state.resultPath, next: state.next, end: state.end });
    case 'choice':
      return defined({
        ...base, type: 'choice',
        choices: state.choices.map((rule) => defined({ condition: { kind: 'expression', text: rule.condition } as const, next: rule.next, assign: rule.assign })),
        default: state.default,
      });
    case 'wait':
      return defined({ ...base, type: 'wait', seconds: state.seconds, timestamp: state.timestamp, secondsPath: state.seconds_path, timestampPath: state.timestamp_path, next: state.next, end: state.end });
    case 'succeed':
      return defined({ ...base, type: 'succeed' });
    case 'fail':
      return defined({ type: 'fail', comment: state.comment, error: state.error, cause: state.cause });
    case 'parallel':
      return defined({
        ...base, type: 'parallel', branches: state.branches.map(fromTwerk), failFast: state.failFast, ...recovery(state.retry, state.catch),
        resultPath: state.resultPath, next: state.next, end: state.end,
      });
    case 'map':
      return defined({
        ...base, type: 'map', itemsPath: state.itemsPath, itemProcessor: fromTwerk(state.itemProcessor), maxConcurrency: state.maxConcurrency,
        toleratedFailurePercentage: state.toleratedFailurePercentage, ...recovery(state.retry, state.catch), resultPath: state.resultPath, next: state.next, end: state.end,
      });
  }
}

function awsCondition(rule: AwsChoiceRule): ChoiceCondition {
  if (rule.Condition !== undefined) return { kind: 'expression', text: rule.Condition };
  if (rule.And !== undefined) return { kind: 'and', conditions: rule.And.map(awsCondition) };
  if (rule.Or !== undefined) return { kind: 'or', conditions: rule.Or.map(awsCondition) };
  if (rule.Not !== undefined) return { kind: 'not', condition: awsCondition(rule.Not) };
  // The schema allows exactly one operator together with Variable.
  const operator = AWS_OPERATORS.find((key) => rule[key] !== undefined) ?? '';
  return { kind: 'compare', variable: rule.Variable ?? '$', operator, value: rule[operator] };
}

export function fromAws(machine: AwsMachine): Machine {
  return defined({ ...awsScope(machine), timeoutSeconds: machine.TimeoutSeconds, version: machine.Version });
}

function awsScope(machine: AwsBranch): Machine {
  const states: Record<string, MachineState> = {};
  for (const [name, state] of Object.entries(machine.States)) states[name] = awsState(state);
  return defined({ dialect: 'aws' as const, comment: machine.Comment, startAt: machine.StartAt, states });
}

type AwsRetrier = { ErrorEquals: string[]; IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number; MaxDelaySeconds?: number; JitterStrategy?: 'FULL' | 'NONE' };
type AwsCatcher = { ErrorEquals: string[]; Next: string; ResultPath?: string | null; Assign?: Record<string, unknown> };

function awsRecovery(retry: readonly AwsRetrier[] | undefined, catches: readonly AwsCatcher[] | undefined): { retry: Retrier[]; catch: Catcher[] } {
  return {
    retry: (retry ?? []).map((item) =>
      retrier({ errorEquals: item.ErrorEquals, intervalSeconds: item.IntervalSeconds, maxAttempts: item.MaxAttempts, backoffRate: item.BackoffRate, maxDelaySeconds: item.MaxDelaySeconds, jitterStrategy: item.JitterStrategy }, 'aws'),
    ),
    catch: (catches ?? []).map((item) => catcher({ errorEquals: item.ErrorEquals, next: item.Next, resultPath: item.ResultPath, assign: item.Assign }, 'aws')),
  };
}

export function awsState(state: AwsState): MachineState {
  const base = {
    comment: state.Comment,
    inputPath: 'InputPath' in state ? state.InputPath : undefined,
    outputPath: 'OutputPath' in state ? state.OutputPath : undefined,
    assign: 'Assign' in state ? state.Assign : undefined,
  };
  switch (state.Type) {
    case 'Task':
      return defined({
        ...base, type: 'task', image: state.Parameters.image, run: state.Parameters.run, env: state.Parameters.env, var: state.Parameters.var,
        timeoutSeconds: state.TimeoutSeconds, heartbeatSeconds: state.HeartbeatSeconds, ...awsRecovery(state.Retry, state.Catch),
        resultSelector: state.ResultSelector, resultPath: state.ResultPath, next: state.Next, end: state.End,
      });
    case 'Pass':
      return defined({ ...base, type: 'pass', result: state.Result, parameters: state.Parameters, resultPath: state.ResultPath, next: state.Next, end: state.End });
    case 'Choice':
      return defined({
        ...base, type: 'choice',
        // Every top-level rule has Next (the Choice state's refinement requires it).
        choices: state.Choices.map((rule) => defined({ condition: awsCondition(rule), next: rule.Next ?? '', assign: rule.Assign })),
        default: state.Default,
      });
    case 'Wait':
      return defined({ ...base, type: 'wait', seconds: state.Seconds, timestamp: state.Timestamp, secondsPath: state.SecondsPath, timestampPath: state.TimestampPath, next: state.Next, end: state.End });
    case 'Succeed':
      return defined({ ...base, type: 'succeed' });
    case 'Fail':
      return defined({ type: 'fail', comment: state.Comment, error: state.Error, cause: state.Cause, errorPath: state.ErrorPath, causePath: state.CausePath });
    case 'Parallel':
      return defined({
        ...base, type: 'parallel', branches: state.Branches.map(awsScope), parameters: state.Parameters, ...awsRecovery(state.Retry, state.Catch),
        resultSelector: state.ResultSelector, resultPath: state.ResultPath, next: state.Next, end: state.End,
      });
    case 'Map': {
      // The Map refinement requires exactly one of ItemProcessor and its legacy name Iterator.
      const processor = state.ItemProcessor ?? state.Iterator ?? { StartAt: '', States: {} };
      return defined({
        ...base, type: 'map', itemsPath: state.ItemsPath, itemProcessor: awsScope(processor), itemSelector: state.ItemSelector ?? state.Parameters,
        maxConcurrency: state.MaxConcurrency, toleratedFailurePercentage: state.ToleratedFailurePercentage, ...awsRecovery(state.Retry, state.Catch),
        resultSelector: state.ResultSelector, resultPath: state.ResultPath, next: state.Next, end: state.End,
      });
    }
  }
}
