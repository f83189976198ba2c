/**
 * Standard Amazon States Language (PascalCase; research/landscape.md §4), JSONPath mode. The one
 * resource we run is `twerk:task`: its `Parameters` hold the native task to run (`image`, `run`, `env`,
 * `var`), the same fields a Twerk-dialect Task state has.
 */
import { lazyRef, z } from '../zod.ts';

export const TWERK_TASK_RESOURCE = 'twerk:task';

const stateName = z.string().min(1, 'must not be empty').max(80, 'must be at most 80 characters long');
const jsonPath = z.string().regex(/^\$/, 'must be a JSONPath starting with "$"');
const errorName = z.string().min(1);
const positiveInt = z.number().int().min(1);

export const awsRetrierSchema = z
  .object({
    ErrorEquals: z.array(errorName).min(1, 'must list at least one error'),
    IntervalSeconds: positiveInt.optional(),
    MaxAttempts: z.number().int().min(0).optional(),
    BackoffRate: z.number().min(1, 'must be at least 1').finite().optional(),
    MaxDelaySeconds: positiveInt.optional(),
    JitterStrategy: z.enum(['FULL', 'NONE']).optional(),
    Comment: z.string().optional(),
  })
  .strict();

export const awsCatcherSchema = z
  .object({ ErrorEquals: z.array(errorName).min(1, 'must list at least one error'), Next: stateName, ResultPath: jsonPath.nullable().optional(), Comment: z.string().optional() })
  .strict();

export const AWS_COMPARISONS = [
  'StringEquals', 'StringLessThan', 'StringGreaterThan', 'StringLessThanEquals', 'StringGreaterThanEquals', 'StringMatches',
  'NumericEquals', 'NumericLessThan', 'NumericGreaterThan', 'NumericLessThanEquals', 'NumericGreaterThanEquals',
  'BooleanEquals',
  'TimestampEquals', 'TimestampLessThan', 'TimestampGreaterThan', 'TimestampLessThanEquals', 'TimestampGreaterThanEquals',
  'IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp',
] as const;
const PATH_TWINS = AWS_COMPARISONS.filter((name) => !name.startsWith('Is') && name !== 'StringMatches').map((name) => `${name}Path`);

export interface AwsChoiceRule {
  readonly Variable?: string;
  readonly Condition?: string;
  readonly And?: readonly AwsChoiceRule[];
  readonly Or?: readonly AwsChoiceRule[];
  readonly Not?: AwsChoiceRule;
  readonly Next?: string;
  readonly Comment?: string;
  readonly [comparison: string]: unknown;
}

const comparisonShape: Record<string, z.ZodTypeAny> = {};
for (const name of AWS_COMPARISONS) {
  comparisonShape[name] = (name.startsWith('Is') || name === 'BooleanEquals' ? z.boolean() : name.startsWith('Numeric') ? z.number() : z.string()).optional();
}
for (const name of PATH_TWINS) comparisonShape[name] = jsonPath.optional();

const ruleRef: z.ZodType<AwsChoiceRule> = lazyRef('AwsChoiceRule', () => choiceRuleSchema);
const choiceRuleSchema: z.ZodType<AwsChoiceRule> = z
  .object({
    Variable: jsonPath.optional(),
    Condition: z.string().min(1).optional(),
    And: z.array(ruleRef).min(1).optional(),
    Or: z.array(ruleRef).min(1).optional(),
    Not: ruleRef.optional(),
    Next: stateName.optional(),
    Comment: z.string().optional(),
    ...comparisonShape,
  })
  .strict()
  .superRefine((rule, ctx) => {
    const record = rule as Record<string, unknown>;
    const operators = Object.keys(record).filter((key) => key in comparisonShape);
    const combinators = ['And', 'Or', 'Not', 'Condition'].filter((key) => record[key] !== undefined);
    if (operators.length + combinators.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'a choice rule needs exactly one comparison (e.g. StringEquals), And, Or, Not or Condition' });
    } else if (operators.length === 1 && record['Variable'] === undefined) {
      ctx.addIssue({ code: 'custom', path: ['Variable'], message: `is required with ${operators[0]}` });
    }
  })
  .openapi('AwsChoiceRule', { description: 'A Choice rule: one comparison on Variable, And/Or/Not of nested rules, or a Condition; top-level rules carry Next.' }) as unknown as z.ZodType<AwsChoiceRule>;

const common = { Comment: z.string().optional(), InputPath: jsonPath.nullable().optional(), OutputPath: jsonPath.nullable().optional(), Assign: z.record(z.string(), z.unknown()).optional() };
const transition = { Next: stateName.optional(), End: z.literal(true, { errorMap: () => ({ message: 'can only be true (leave it out to use Next)' }) }).optional() };
const resultShaping = { ResultPath: jsonPath.nullable().optional(), ResultSelector: z.record(z.string(), z.unknown()).optional() };

const nativeTaskParameters = z
  .object({
    image: z.string().min(1).regex(/^\S+$/, 'must not contain whitespace'),
    run: z.string().min(1, 'must not be empty'),
    env: z.record(z.string().min(1), z.string()).optional(),
    var: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/).optional(),
  })
  .strict();

const machineRef = lazyRef('AwsStateMachine', () => awsMachineSchema);

const awsStateSchema = z.discriminatedUnion('Type', [
  z
    .object({
      Type: z.literal('Task'),
      ...common,
      ...transition,
      ...resultShaping,
      Resource: z.literal(TWERK_TASK_RESOURCE, { errorMap: () => ({ message: `must be "${TWERK_TASK_RESOURCE}": the only resource Twerk runs is a native task` }) }),
      Parameters: nativeTaskParameters,
      TimeoutSeconds: positiveInt.optional(),
      HeartbeatSeconds: positiveInt.optional(),
      Retry: z.array(awsRetrierSchema).optional(),
      Catch: z.array(awsCatcherSchema).optional(),
    })
    .strict(),
  z.object({ Type: z.literal('Pass'), ...common, ...transition, Result: z.unknown().optional(), ResultPath: jsonPath.nullable().optional(), Parameters: z.record(z.string(), z.unknown()).optional() }).strict(),
  z.object({ Type: z.literal('Choice'), ...common, Choices: z.array(choiceRuleSchema).min(1, 'must have at least one rule'), Default: stateName.optional() }).strict(),
  z
    .object({
      Type: z.literal('Wait'),
      ...common,
      ...transition,
      Seconds: z.number().int().min(0).optional(),
      Timestamp: z.string().min(1).optional(),
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
      Parameters: z.record(z.string(), z.unknown()).optional(),
      Branches: z.array(machineRef).min(1, 'must have at least one branch'),
      Retry: z.array(awsRetrierSchema).optional(),
      Catch: z.array(awsCatcherSchema).optional(),
    })
    .strict(),
  z
    .object({
      Type: z.literal('Map'),
      ...common,
      ...transition,
      ...resultShaping,
      ItemsPath: jsonPath.optional(),
      ItemSelector: z.record(z.string(), z.unknown()).optional(),
      Parameters: z.record(z.string(), z.unknown()).optional(),
      ItemProcessor: machineRef.optional(),
      Iterator: machineRef.optional(),
      MaxConcurrency: z.number().int().min(0).optional(),
      ToleratedFailurePercentage: z.number().min(0).max(100).optional(),
      Retry: z.array(awsRetrierSchema).optional(),
      Catch: z.array(awsCatcherSchema).optional(),
    })
    .strict(),
]);

export const awsMachineSchema: z.ZodType<AwsMachine> = z
  .object({
    Comment: z.string().optional(),
    StartAt: stateName,
    States: z.record(stateName, awsStateSchema),
    Version: z.string().optional(),
    TimeoutSeconds: positiveInt.optional(),
    QueryLanguage: z.literal('JSONPath', { errorMap: () => ({ message: 'only "JSONPath" is supported' }) }).optional(),
    // Processor configuration of a Map's ItemProcessor; only inline processing exists here.
    ProcessorConfig: z.object({ Mode: z.literal('INLINE').optional(), ExecutionType: z.enum(['STANDARD', 'EXPRESS']).optional() }).strict().optional(),
  })
  .strict()
  .openapi('AwsStateMachine', {
    description: 'A state machine in standard Amazon States Language (JSONPath mode). Task states use Resource "twerk:task" with the native task in Parameters.',
    example: { StartAt: 'Build', States: { Build: { Type: 'Task', Resource: 'twerk:task', Parameters: { image: 'alpine:3.20', run: 'echo building' }, End: true } } },
  }) as unknown as z.ZodType<AwsMachine>;

export type AwsState = z.output<typeof awsStateSchema>;
export interface AwsMachine {
  readonly Comment?: string;
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AwsState>>;
  readonly Version?: string;
  readonly TimeoutSeconds?: number;
}
