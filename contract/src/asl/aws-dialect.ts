/**
 * Standard Amazon States Language (PascalCase; research/landscape.md §4), JSONPath mode, strict: an
 * unknown key is an error, not ignored.
 *
 * Task states: the one resource Twerk runs is `twerk:task`, a native task. Its `Parameters` hold that
 * task (`image`, `run`, `env`, `var`, the fields a Twerk-dialect task state carries on itself). ASL
 * defines `Parameters` as "the input of the resource", which is exactly what the native task is, and it
 * keeps the state's own keys standard so AWS tooling still reads the document. Any other `Resource`
 * (Lambda ARNs, activities, `.sync` integrations) is refused: nothing here could run it.
 */
import { lazyRef, z } from '../zod.ts';
import { checkExclusive, checkHeartbeat, checkRecoveryList, checkTransition, checkWait, issue, jsonPath, stateName, timestamp, AT_LEAST_ONE_STATE, type Spelling } from './rules.ts';
import type { RefinementCtx } from 'zod';

export const TWERK_TASK_RESOURCE = 'twerk:task';
export const AWS_STATE_TYPES = ['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map'] as const;

const SPELLING: Spelling = { dialect: 'aws', errorEquals: 'ErrorEquals', next: 'Next', end: 'End', timeout: 'TimeoutSeconds', heartbeat: 'HeartbeatSeconds' };

const positiveInt = z.number().int().min(1);
const template = z.record(z.string(), z.unknown());
const errorName = z.string().min(1, 'must not be empty');

const awsRetrierSchema = z
  .object({
    ErrorEquals: z.array(errorName).min(1, 'must list at least one error'),
    IntervalSeconds: positiveInt.max(99_999_999).optional(),
    MaxAttempts: z.number().int().min(0).max(99_999_999).optional(),
    BackoffRate: z.number().min(1).finite().optional(),
    MaxDelaySeconds: positiveInt.max(31_622_400).optional(),
    JitterStrategy: z.enum(['FULL', 'NONE']).optional(),
    Comment: z.string().optional(),
  })
  .strict();

const awsCatcherSchema = z
  .object({
    ErrorEquals: z.array(errorName).min(1, 'must list at least one error'),
    Next: stateName,
    ResultPath: jsonPath.nullable().optional(),
    Assign: template.optional(),
    Comment: z.string().optional(),
  })
  .strict();

const retryList = z.array(awsRetrierSchema).superRefine((rules, ctx) => checkRecoveryList(rules.map((rule) => ({ errorEquals: rule.ErrorEquals })), 'retrier', SPELLING, ctx));
const catchList = z.array(awsCatcherSchema).superRefine((rules, ctx) => checkRecoveryList(rules.map((rule) => ({ errorEquals: rule.ErrorEquals })), 'catcher', SPELLING, ctx));

export const AWS_COMPARISONS = [
  'StringEquals', 'StringLessThan', 'StringGreaterThan', 'StringLessThanEquals', 'StringGreaterThanEquals', 'StringMatches',
  'NumericEquals', 'NumericLessThan', 'NumericGreaterThan', 'NumericLessThanEquals', 'NumericGreaterThanEquals',
  'BooleanEquals',
  'TimestampEquals', 'TimestampLessThan', 'TimestampGreaterThan', 'TimestampLessThanEquals', 'TimestampGreaterThanEquals',
  'IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp',
] as const;
/** Every comparison but the type tests and StringMatches has a `…Path` twin comparing against another input value. */
const PATH_TWINS = AWS_COMPARISONS.filter((name) => !name.startsWith('Is') && name !== 'StringMatches').map((name) => `${name}Path`);

function comparisonValue(name: string): z.ZodTypeAny {
  if (name.startsWith('Is') || name === 'BooleanEquals') return z.boolean();
  if (name.startsWith('Numeric')) return z.number();
  if (name.startsWith('Timestamp')) return timestamp;
  return z.string();
}

const comparisonShape: Record<string, z.ZodTypeAny> = {};
for (const name of AWS_COMPARISONS) comparisonShape[name] = comparisonValue(name).optional();
for (const name of PATH_TWINS) comparisonShape[name] = jsonPath.optional();
export const AWS_OPERATORS: readonly string[] = Object.keys(comparisonShape);

export interface AwsChoiceRule {
  readonly Variable?: string;
  readonly Condition?: string;
  readonly And?: readonly AwsChoiceRule[];
  readonly Or?: readonly AwsChoiceRule[];
  readonly Not?: AwsChoiceRule;
  readonly Next?: string;
  readonly Assign?: Readonly<Record<string, unknown>>;
  readonly Comment?: string;
  readonly [comparison: string]: unknown;
}

const ruleRef: z.ZodType<AwsChoiceRule> = lazyRef('AwsChoiceRule', () => awsChoiceRuleSchema);

/**
 * One rule shape serves top-level and nested rules (as in the ASL spec); the Choice state checks that
 * only top-level rules carry `Next`/`Assign`. `Condition` is a Twerk extension: an opaque boolean
 * expression, the same as the Twerk dialect's `condition`, so a machine can say the same in both dialects.
 */
export const awsChoiceRuleSchema: z.ZodType<AwsChoiceRule> = z
  .object({
    Variable: jsonPath.optional(),
    Condition: z.string().min(1, 'must not be empty').optional(),
    And: z.array(ruleRef).min(1, 'must have at least one rule').optional(),
    Or: z.array(ruleRef).min(1, 'must have at least one rule').optional(),
    Not: ruleRef.optional(),
    Next: stateName.optional(),
    Assign: template.optional(),
    Comment: z.string().optional(),
    ...comparisonShape,
  })
  .strict()
  .superRefine((rule, ctx) => {
    const record = rule as Record<string, unknown>;
    const operators = AWS_OPERATORS.filter((key) => record[key] !== undefined);
    const combinators = ['And', 'Or', 'Not', 'Condition'].filter((key) => record[key] !== undefined);
    if (operators.length + combinators.length !== 1) {
      issue(ctx, [], 'a choice rule needs exactly one comparison (e.g. StringEquals), And, Or, Not or Condition');
    } else if (operators.length === 1 && record['Variable'] === undefined) {
      issue(ctx, ['Variable'], `is required with ${operators[0]}`);
    } else if (combinators.length === 1 && record['Variable'] !== undefined) {
      issue(ctx, ['Variable'], `is only used with a comparison, not with ${combinators[0]}`);
    }
  })
  .openapi('AwsChoiceRule', {
    description: 'A Choice rule: one comparison on Variable, And/Or/Not of nested rules, or a Condition expression. Top-level rules carry Next (and may Assign); nested rules do not.',
  }) as unknown as z.ZodType<AwsChoiceRule>;

/** Walks nested rules (And/Or/Not) so a misplaced Next is reported where it was written. */
function checkNestedRules(rule: AwsChoiceRule, path: (string | number)[], ctx: RefinementCtx): void {
  const nested: [AwsChoiceRule, (string | number)[]][] = [];
  rule.And?.forEach((child, index) => nested.push([child, [...path, 'And', index]]));
  rule.Or?.forEach((child, index) => nested.push([child, [...path, 'Or', index]]));
  if (rule.Not !== undefined) nested.push([rule.Not, [...path, 'Not']]);
  for (const [child, childPath] of nested) {
    if (child.Next !== undefined) issue(ctx, [...childPath, 'Next'], 'only top-level choice rules take Next');
    if (child.Assign !== undefined) issue(ctx, [...childPath, 'Assign'], 'only top-level choice rules take Assign');
    checkNestedRules(child, childPath, ctx);
  }
}

const common = { Comment: z.string().optional(), InputPath: jsonPath.nullable().optional(), OutputPath: jsonPath.nullable().optional(), Assign: template.optional() };
const transition = { Next: stateName.optional(), End: z.literal(true).optional() };
const resultShaping = { ResultPath: jsonPath.nullable().optional(), ResultSelector: template.optional() };

const nativeTaskParameters = z
  .object({
    image: z.string().min(1, 'must not be empty').regex(/^\S+$/, 'must not contain whitespace'),
    run: z.string().min(1, 'must not be empty'),
    env: z.record(z.string().min(1, 'must not be empty'), z.string()).optional(),
    var: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be a name of letters, digits and "_" (at most 128)').optional(),
  })
  .strict()
  .openapi('AwsTwerkTaskParameters', { description: 'The native task a twerk:task state runs.' });

/**
 * The recursion (a state holds branches, a branch holds states) is broken at the branch's states, so
 * the OpenAPI generator walks every named schema from the top-level machine: AwsStateMachine → AwsState
 * → AwsBranch / AwsItemProcessor → $ref AwsState.
 */
const nestedStates = z
  .record(stateName, lazyRef('AwsState', (): z.ZodType<AwsState> => awsStateSchema))
  .refine((states) => Object.keys(states).length > 0, AT_LEAST_ONE_STATE);

export interface AwsBranch {
  readonly Comment?: string;
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AwsState>>;
}

export interface AwsItemProcessor extends AwsBranch {
  readonly ProcessorConfig?: { readonly Mode?: 'INLINE' | undefined };
}

export interface AwsMachine extends AwsBranch {
  readonly Version?: string;
  readonly TimeoutSeconds?: number;
  readonly QueryLanguage?: 'JSONPath';
}

export const awsBranchSchema: z.ZodType<AwsBranch> = z
  .object({ Comment: z.string().optional(), StartAt: stateName, States: nestedStates })
  .strict()
  .openapi('AwsBranch', { description: 'A Parallel branch: a state machine of its own, with its own StartAt and States.' }) as unknown as z.ZodType<AwsBranch>;

export const awsItemProcessorSchema: z.ZodType<AwsItemProcessor> = z
  .object({
    Comment: z.string().optional(),
    // Inline processing only: distributed maps read items from S3, which Twerk does not have.
    ProcessorConfig: z
      .object({ Mode: z.enum(['INLINE']).optional() })
      .strict()
      .optional(),
    StartAt: stateName,
    States: nestedStates,
  })
  .strict()
  .openapi('AwsItemProcessor', { description: "A Map state's ItemProcessor (or legacy Iterator): the state machine run for each item." }) as unknown as z.ZodType<AwsItemProcessor>;


const awsStateUnion = z.discriminatedUnion('Type', [
  z
    .object({
      Type: z.literal('Task'),
      ...common,
      ...transition,
      ...resultShaping,
      Resource: z
        .string()
        .superRefine((resource, ctx) => {
          if (resource !== TWERK_TASK_RESOURCE) {
            issue(ctx, [], `must be "${TWERK_TASK_RESOURCE}" (got ${JSON.stringify(resource)}): Twerk runs native tasks only, described in Parameters (image, run, env, var)`);
          }
        })
        .openapi({ enum: [TWERK_TASK_RESOURCE] }),
      Parameters: nativeTaskParameters,
      TimeoutSeconds: positiveInt.max(99_999_999).optional(),
      HeartbeatSeconds: positiveInt.max(99_999_999).optional(),
      Retry: retryList.optional(),
      Catch: catchList.optional(),
    })
    .strict(),
  z.object({ Type: z.literal('Pass'), ...common, ...transition, Result: z.unknown().optional(), ResultPath: jsonPath.nullable().optional(), Parameters: template.optional() }).strict(),
  z.object({ Type: z.literal('Choice'), ...common, Choices: z.array(awsChoiceRuleSchema).min(1, 'must have at least one rule'), Default: stateName.optional() }).strict(),
  z
    .object({
      Type: z.literal('Wait'),
      ...common,
      ...transition,
      Seconds: z.number().int().min(0).optional(),
      Timestamp: timestamp.optional(),
      SecondsPath: jsonPath.optional(),
      TimestampPath: jsonPath.optional(),
    })
    .strict(),
  z.object({ Type: z.literal('Succeed'), Comment: z.string().optional(), InputPath: jsonPath.nullable().optional(), OutputPath: jsonPath.nullable().optional() }).strict(),
  z.object({ Type: z.literal('Fail'), Comment: z.string().optional(), Error: z.string().optional(), Cause: z.string().optional(), ErrorPath: jsonPath.optional(), CausePath: jsonPath.optional() }).strict(),
  z
    .object({
      Type: z.literal('Parallel'),
      ...common,
      ...transition,
      ...resultShaping,
      Parameters: template.optional(),
      Branches: z.array(awsBranchSchema).min(1, 'must have at least one branch'),
      Retry: retryList.optional(),
      Catch: catchList.optional(),
    })
    .strict(),
  z
    .object({
      Type: z.literal('Map'),
      ...common,
      ...transition,
      ...resultShaping,
      ItemsPath: jsonPath.optional(),
      ItemSelector: template.optional(),
      Parameters: template.optional(),
      ItemProcessor: awsItemProcessorSchema.optional(),
      Iterator: awsItemProcessorSchema.optional(),
      MaxConcurrency: z.number().int().min(0).optional(),
      ToleratedFailurePercentage: z.number().min(0).max(100).optional(),
      Retry: retryList.optional(),
      Catch: catchList.optional(),
    })
    .strict(),
]);

export type AwsState = z.output<typeof awsStateUnion>;

/** The rules of one state that need more than one field; the data may be partly invalid (zod runs refinements on "dirty" values). */
function checkAwsState(state: AwsState, ctx: RefinementCtx): void {
  switch (state.Type) {
    case 'Task':
      checkHeartbeat(state.TimeoutSeconds, state.HeartbeatSeconds, SPELLING, ctx);
      checkTransition(state.Next, state.End, SPELLING, ctx);
      return;
    case 'Wait':
      checkWait([['Seconds', state.Seconds], ['Timestamp', state.Timestamp], ['SecondsPath', state.SecondsPath], ['TimestampPath', state.TimestampPath]], ctx);
      checkTransition(state.Next, state.End, SPELLING, ctx);
      return;
    case 'Choice':
      state.Choices.forEach((rule, index) => {
        if (rule.Next === undefined) issue(ctx, ['Choices', index, 'Next'], 'is required: a top-level choice rule says which state comes next');
        checkNestedRules(rule, ['Choices', index], ctx);
      });
      return;
    case 'Fail':
      checkExclusive(state, 'Error', 'ErrorPath', ctx);
      checkExclusive(state, 'Cause', 'CausePath', ctx);
      return;
    case 'Map':
      if (state.ItemProcessor === undefined && state.Iterator === undefined) issue(ctx, ['ItemProcessor'], 'is required (or its legacy name Iterator)');
      checkExclusive(state, 'ItemProcessor', 'Iterator', ctx, ' (Iterator is its legacy name)');
      checkExclusive(state, 'ItemSelector', 'Parameters', ctx, ' (Parameters is its legacy name on a Map state)');
      checkTransition(state.Next, state.End, SPELLING, ctx);
      return;
    case 'Pass':
    case 'Parallel':
      checkTransition(state.Next, state.End, SPELLING, ctx);
      return;
    case 'Succeed':
      return;
  }
}

export const awsStateSchema = awsStateUnion
  .superRefine(checkAwsState)
  .openapi('AwsState', { description: 'One state of an AWS ASL machine, by Type: Task (Resource "twerk:task"), Pass, Choice, Wait, Succeed, Fail, Parallel or Map.' });

export const awsMachineSchema: z.ZodType<AwsMachine> = z
  .object({
    Comment: z.string().optional(),
    StartAt: stateName,
    States: z.record(stateName, awsStateSchema).refine((states) => Object.keys(states).length > 0, AT_LEAST_ONE_STATE),
    Version: z.string().optional(),
    TimeoutSeconds: positiveInt.max(99_999_999).optional(),
    // JSONata mode is not supported: its expressions would need a JSONata evaluator.
    QueryLanguage: z.enum(['JSONPath']).optional(),
  })
  .strict()
  .openapi('AwsStateMachine', {
    description: 'A state machine in standard Amazon States Language (JSONPath mode). Task states use Resource "twerk:task" with the native task (image, run, env, var) in Parameters.',
    example: {
      Comment: 'Build, retrying failures',
      StartAt: 'Build',
      States: {
        Build: {
          Type: 'Task',
          Resource: 'twerk:task',
          Parameters: { image: 'alpine:3.20', run: 'echo building' },
          TimeoutSeconds: 300,
          Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    },
  }) as unknown as z.ZodType<AwsMachine>;
