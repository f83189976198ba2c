/**
 * Twerk's camelCase ASL dialect (seed 001, research/twerk.md §2): lowercase state types, snake_case
 * Wait paths, a Task state that carries a native task (image, run, env). Unlike Twerk we reject unknown
 * keys, so a misspelt field is reported instead of silently ignored.
 */
import { lazyRef, z } from '../zod.ts';

const stateName = z.string().min(1, 'must not be empty').refine((value) => value.trim() !== '', 'must not be blank');
const jsonPath = z.string().regex(/^\$/, 'must be a JSONPath starting with "$"');
const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be a name of letters, digits and "_" (at most 128)');
const assign = z.record(variableName, z.string().min(1, 'must not be empty'));
const positiveInt = z.number().int().min(1);

export const twerkRetrierSchema = z
  .object({
    errorEquals: z.array(z.string().min(1)).min(1, 'must list at least one error'),
    intervalSeconds: positiveInt,
    maxAttempts: positiveInt,
    backoffRate: z.number().positive().finite(),
    maxDelaySeconds: positiveInt.optional(),
    jitterStrategy: z.enum(['FULL', 'NONE']).optional(),
  })
  .strict();

export const twerkCatcherSchema = z
  .object({
    errorEquals: z.array(z.string().min(1)).min(1, 'must list at least one error'),
    next: stateName,
    resultPath: jsonPath.optional(),
    assign: assign.optional(),
  })
  .strict();

const common = { comment: z.string().optional(), inputPath: jsonPath.optional(), outputPath: jsonPath.optional(), assign: assign.optional() };
const transition = { next: stateName.optional(), end: z.literal(true, { errorMap: () => ({ message: 'can only be true (leave it out to use next)' }) }).optional() };

const machineRef = lazyRef('TwerkStateMachine', () => twerkMachineSchema);

const twerkStateSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('task'),
      ...common,
      ...transition,
      image: z.string().min(1).regex(/^\S+$/, 'must not contain whitespace'),
      run: z.string().min(1, 'must not be empty'),
      env: z.record(z.string().min(1), z.string()).optional(),
      var: variableName.optional(),
      timeout: positiveInt.optional(),
      heartbeat: positiveInt.optional(),
      retry: z.array(twerkRetrierSchema).optional(),
      catch: z.array(twerkCatcherSchema).optional(),
      resultPath: jsonPath.optional(),
    })
    .strict(),
  z.object({ type: z.literal('pass'), ...common, ...transition, result: z.unknown().optional(), resultPath: jsonPath.optional() }).strict(),
  z
    .object({
      type: z.literal('choice'),
      ...common,
      choices: z.array(z.object({ condition: z.string().min(1), next: stateName, assign: assign.optional() }).strict()).min(1, 'must have at least one rule'),
      default: stateName.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('wait'),
      ...common,
      ...transition,
      seconds: z.number().int().min(0).optional(),
      timestamp: z.string().min(1).optional(),
      seconds_path: jsonPath.optional(),
      timestamp_path: jsonPath.optional(),
    })
    .strict(),
  z.object({ type: z.literal('succeed'), ...common }).strict(),
  z.object({ type: z.literal('fail'), comment: z.string().optional(), error: z.string().optional(), cause: z.string().optional() }).strict(),
  z
    .object({
      type: z.literal('parallel'),
      ...common,
      ...transition,
      branches: z.array(machineRef).min(1, 'must have at least one branch'),
      failFast: z.boolean().optional(),
      retry: z.array(twerkRetrierSchema).optional(),
      catch: z.array(twerkCatcherSchema).optional(),
      resultPath: jsonPath.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('map'),
      ...common,
      ...transition,
      itemsPath: z.string().min(1).optional(),
      itemProcessor: machineRef,
      maxConcurrency: z.number().int().min(0).optional(),
      toleratedFailurePercentage: z.number().min(0).max(100).optional(),
      retry: z.array(twerkRetrierSchema).optional(),
      catch: z.array(twerkCatcherSchema).optional(),
      resultPath: jsonPath.optional(),
    })
    .strict(),
  // Twerk's own stack-VM `switch` is not ASL; it is accepted here only so validation can say what to use instead.
  z.object({ type: z.literal('switch') }).passthrough(),
]);

export const twerkMachineSchema: z.ZodType<TwerkMachine> = z
  .object({
    comment: z.string().optional(),
    startAt: stateName,
    states: z.record(stateName, twerkStateSchema),
    timeout: positiveInt.optional(),
  })
  .strict()
  .openapi('TwerkStateMachine', {
    description: "A state machine in Twerk's camelCase dialect of the Amazon States Language.",
    example: { comment: 'Two steps', startAt: 'Hello', states: { Hello: { type: 'pass', result: 'Hello, World!', next: 'Goodbye' }, Goodbye: { type: 'pass', result: 'Goodbye!', end: true } } },
  }) as unknown as z.ZodType<TwerkMachine>;

export type TwerkState = z.output<typeof twerkStateSchema>;
export interface TwerkMachine {
  readonly comment?: string;
  readonly startAt: string;
  readonly states: Readonly<Record<string, TwerkState>>;
  readonly timeout?: number;
}
