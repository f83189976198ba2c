/** From either dialect's validated document to the one model. */
import type { AwsChoiceRule, AwsMachine, AwsState } from './aws-dialect.ts';
import { normalizeErrorName, type Catcher, type ChoiceCondition, type Machine, type MachineDialect, type MachineState, type Retrier } from './model.ts';
import type { TwerkMachine, TwerkState } from './twerk-dialect.ts';

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}

interface RetrierLike {
  readonly errorEquals: readonly string[];
  readonly intervalSeconds?: number;
  readonly maxAttempts?: number;
  readonly backoffRate?: number;
  readonly maxDelaySeconds?: number;
  readonly jitterStrategy?: 'FULL' | 'NONE';
}

function retrier(input: RetrierLike, dialect: MachineDialect): Retrier {
  return defined({
    errorEquals: input.errorEquals.map((name) => normalizeErrorName(name, dialect)),
    intervalSeconds: input.intervalSeconds ?? 1,
    maxAttempts: input.maxAttempts ?? 3,
    backoffRate: input.backoffRate ?? 2,
    maxDelaySeconds: input.maxDelaySeconds,
    jitterStrategy: input.jitterStrategy ?? 'NONE',
  });
}

function catcher(input: { errorEquals: readonly string[]; next: string; resultPath?: string | null }, dialect: MachineDialect): Catcher {
  return defined({ errorEquals: input.errorEquals.map((name) => normalizeErrorName(name, dialect)), next: input.next, resultPath: input.resultPath });
}

export function fromTwerk(machine: TwerkMachine): Machine {
  const states: Record<string, MachineState> = {};
  for (const [name, state] of Object.entries(machine.states)) states[name] = twerkState(state);
  return defined({ dialect: 'twerk' as const, comment: machine.comment, startAt: machine.startAt, states, timeoutSeconds: machine.timeout });
}

function twerkState(input: TwerkState): MachineState {
  if (input.type === 'switch') return { type: 'switch' };
  const state = input as Exclude<TwerkState, { type: 'switch' }>;
  const base = { comment: state.comment, inputPath: 'inputPath' in state ? state.inputPath : undefined, outputPath: 'outputPath' in state ? state.outputPath : undefined };
  switch (state.type) {
    case 'task':
      return defined({
        ...base, type: 'task', image: state.image, run: state.run, env: state.env, var: state.var, timeoutSeconds: state.timeout, heartbeatSeconds: state.heartbeat,
        retry: (state.retry ?? []).map((item) => retrier(item, 'twerk')), catch: (state.catch ?? []).map((item) => catcher(item, 'twerk')),
        resultPath: state.resultPath, next: state.next, end: state.end,
      });
    case 'pass':
      return defined({ ...base, type: 'pass', result: state.result, resultPath: state.resultPath, next: state.next, end: state.end });
    case 'choice':
      return defined({ ...base, type: 'choice', choices: state.choices.map((rule) => ({ condition: { kind: 'expression', text: rule.condition } as const, next: rule.next })), default: state.default });
    case 'wait':
      return defined({ ...base, type: 'wait', seconds: state.seconds, timestamp: state.timestamp, secondsPath: state.seconds_path, timestampPath: state.timestamp_path, next: state.next, end: state.end });
    case 'succeed':
      return defined({ ...base, type: 'succeed' });
    case 'fail':
      return defined({ comment: state.comment, type: 'fail', error: state.error, cause: state.cause });
    case 'parallel':
      return defined({
        ...base, type: 'parallel', branches: state.branches.map(fromTwerk), retry: (state.retry ?? []).map((item) => retrier(item, 'twerk')),
        catch: (state.catch ?? []).map((item) => catcher(item, 'twerk')), resultPath: state.resultPath, next: state.next, end: state.end,
      });
    case 'map':
      return defined({
        ...base, type: 'map', itemsPath: state.itemsPath, itemProcessor: fromTwerk(state.itemProcessor), maxConcurrency: state.maxConcurrency,
        toleratedFailurePercentage: state.toleratedFailurePercentage, retry: (state.retry ?? []).map((item) => retrier(item, 'twerk')),
        catch: (state.catch ?? []).map((item) => catcher(item, 'twerk')), resultPath: state.resultPath, next: state.next, end: state.end,
      });
  }
}

function awsCondition(rule: AwsChoiceRule): ChoiceCondition {
  if (rule.Condition !== undefined) return { kind: 'expression', text: rule.Condition };
  if (rule.And !== undefined) return { kind: 'and', conditions: rule.And.map(awsCondition) };
  if (rule.Or !== undefined) return { kind: 'or', conditions: rule.Or.map(awsCondition) };
  if (rule.Not !== undefined) return { kind: 'not', condition: awsCondition(rule.Not) };
  const operator = Object.keys(rule).find((key) => !['Variable', 'Next', 'Comment'].includes(key))!;
  return { kind: 'compare', variable: rule.Variable!, operator, value: rule[operator] };
}

export function fromAws(machine: AwsMachine): Machine {
  const states: Record<string, MachineState> = {};
  for (const [name, state] of Object.entries(machine.States)) states[name] = awsState(state);
  return defined({ dialect: 'aws' as const, comment: machine.Comment, startAt: machine.StartAt, states, timeoutSeconds: machine.TimeoutSeconds });
}

function awsState(state: AwsState): MachineState {
  const base = { comment: state.Comment, inputPath: 'InputPath' in state ? state.InputPath : undefined, outputPath: 'OutputPath' in state ? state.OutputPath : undefined };
  const retries = (items: readonly { ErrorEquals: string[]; IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number; MaxDelaySeconds?: number; JitterStrategy?: 'FULL' | 'NONE' }[] | undefined): Retrier[] =>
    (items ?? []).map((item) => retrier({ errorEquals: item.ErrorEquals, intervalSeconds: item.IntervalSeconds, maxAttempts: item.MaxAttempts, backoffRate: item.BackoffRate, maxDelaySeconds: item.MaxDelaySeconds, jitterStrategy: item.JitterStrategy }, 'aws'));
  const catches = (items: readonly { ErrorEquals: string[]; Next: string; ResultPath?: string | null }[] | undefined): Catcher[] =>
    (items ?? []).map((item) => catcher({ errorEquals: item.ErrorEquals, next: item.Next, resultPath: item.ResultPath }, 'aws'));
  switch (state.Type) {
    case 'Task':
      return defined({
        ...base, type: 'task', image: state.Parameters.image, run: state.Parameters.run, env: state.Parameters.env, var: state.Parameters.var,
        timeoutSeconds: state.TimeoutSeconds, heartbeatSeconds: state.HeartbeatSeconds, retry: retries(state.Retry), catch: catches(state.Catch),
        resultPath: state.ResultPath, next: state.Next, end: state.End,
      });
    case 'Pass':
      return defined({ ...base, type: 'pass', result: state.Result, resultPath: state.ResultPath, next: state.Next, end: state.End });
    case 'Choice':
      return defined({ ...base, type: 'choice', choices: state.Choices.map((rule) => ({ condition: awsCondition(rule), next: rule.Next! })), default: state.Default });
    case 'Wait':
      return defined({ ...base, type: 'wait', seconds: state.Seconds, timestamp: state.Timestamp, secondsPath: state.SecondsPath, timestampPath: state.TimestampPath, next: state.Next, end: state.End });
    case 'Succeed':
      return defined({ ...base, type: 'succeed' });
    case 'Fail':
      return defined({ comment: state.Comment, type: 'fail', error: state.Error, cause: state.Cause });
    case 'Parallel':
      return defined({ ...base, type: 'parallel', branches: state.Branches.map(fromAws), retry: retries(state.Retry), catch: catches(state.Catch), resultPath: state.ResultPath, next: state.Next, end: state.End });
    case 'Map': {
      const processor = state.ItemProcessor ?? state.Iterator;
      return defined({
        ...base, type: 'map', itemsPath: state.ItemsPath, itemProcessor: processor === undefined ? undefined : fromAws(processor), maxConcurrency: state.MaxConcurrency,
        toleratedFailurePercentage: state.ToleratedFailurePercentage, retry: retries(state.Retry), catch: catches(state.Catch), resultPath: state.ResultPath, next: state.Next, end: state.End,
      });
    }
  }
}
