/**
 * Twerk's camelCase dialect of ASL (seed 001, research/twerk.md §2): lowercase state types, snake_case
 * Wait paths, a task state that carries its native task (image, run, env, var) on itself, Twerk's own
 * `timeout`/`heartbeat` names, and Retriers whose four fields are all required.
 *
 * Where we differ from Twerk, on purpose:
 * - unknown keys are errors (Twerk ignores them), so a misspelt field is reported instead of lost;
 * - `backoffRate` must be at least 1 as in AWS ASL (Twerk accepts any positive rate, but a shrinking
 *   backoff has no meaning in ASL, and Twerk never ran a retry to be compatible with);
 * - state names are at most 80 characters (AWS's limit), so a machine can be written in either dialect;
 * - Wait `timestamp` must be RFC 3339, because the engine has to read it;
 * - parallel states may also `retry`/`catch` and take a `resultPath`, as in AWS ASL;
 * - Twerk's `switch` state (a stack-VM program, not ASL) is refused with a pointer to `choice`.
 */
import type { RefinementCtx } from 'zod';
import { lazyRef, z } from '../zod.ts';
import { checkHeartbeat, checkRecoveryList, checkTransition, checkWait, issue, jsonPath, stateName, timestamp, AT_LEAST_ONE_STATE, type Spelling } from './rules.ts';

const SPELLING: Spelling = { dialect: 'twerk', errorEquals: 'errorEquals', next: 'next', end: 'end', timeout: 'timeout', heartbeat: 'heartbeat' };

const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be a name of letters, digits and "_" (at most 128)');
const expression = z.string().min(1, 'must not be empty');
const assign = z.record(variableName, expression);
const positiveInt = z.number().int().min(1);
const errorName = z.string().min(1, 'must not be empty');

const twerkRetrierSchema = z
  .object({
    errorEquals: z.array(errorName).min(1, 'must list at least one error'),
    intervalSeconds: positiveInt,
    maxAttempts: positiveInt,
    backoffRate: z.number().min(1).finite(),
    maxDelaySeconds: positiveInt.optional(),
    jitterStrategy: z.enum(['FULL', 'NONE']).optional(),
  })
  .strict();

const twerkCatcherSchema = z
  .object({
    errorEquals: z.array(errorName).min(1, 'must list at least one error'),
    next: stateName,
    resultPath: jsonPath.optional(),
    assign: assign.optional(),
  })
  .strict();

const retryList = z.array(twerkRetrierSchema).superRefine((rules, ctx) => {
  checkRecoveryList(rules, 'retrier', SPELLING, ctx);
  rules.forEach((rule, index) => {
    // Twerk's rule: a cap at or below the first delay would make every delay the cap.
    if (rule.maxDelaySeconds !== undefined && rule.maxDelaySeconds <= rule.intervalSeconds) {
      issue(ctx, [index, 'maxDelaySeconds'], `must be greater than intervalSeconds (${rule.intervalSeconds})`);
    }
  });
});
const catchList = z.array(twerkCatcherSchema).superRefine((rules, ctx) => checkRecoveryList(rules, 'catcher', SPELLING, ctx));

const common = { comment: z.string().optional(), inputPath: jsonPath.optional(), outputPath: jsonPath.optional(), assign: assign.optional() };
const transition = { next: stateName.optional(), end: z.literal(true).optional() };

const machineRef = lazyRef('TwerkStateMachine', () => twerkMachineSchema);

export const TWERK_STATE_TYPES = ['task', 'pass', 'choice', 'wait', 'succeed', 'fail', 'parallel', 'map'] as const;

const twerkStateUnion = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('task'),
      ...common,
      ...transition,
      image: z.string().min(1, 'must not be empty').regex(/^\S+$/, 'must not contain whitespace'),
      run: z.string().min(1, 'must not be empty'),
      env: z.record(z.string().min(1, 'must not be empty'), expression).optional(),
      var: variableName.optional(),
      timeout: positiveInt.optional(),
      heartbeat: positiveInt.optional(),
      retry: retryList.optional(),
      catch: catchList.optional(),
      resultPath: jsonPath.optional(),
    })
    .strict(),
  z.object({ type: z.literal('pass'), ...common, ...transition, result: z.unknown().optional(), resultPath: jsonPath.optional() }).strict(),
  z
    .object({
      type: z.literal('choice'),
      ...common,
      choices: z.array(z.object({ condition: expression, next: stateName, assign: assign.optional() }).strict()).min(1, 'must have at least one rule'),
      default: stateName.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('wait'),
      ...common,
      ...transition,
      seconds: z.number().int().min(0).optional(),
      timestamp: timestamp.optional(),
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
      retry: retryList.optional(),
      catch: catchList.optional(),
      resultPath: jsonPath.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('map'),
      ...common,
      ...transition,
      itemsPath: expression.optional(),
      itemProcessor: machineRef,
      maxConcurrency: z.number().int().min(0).optional(),
      toleratedFailurePercentage: z.number().min(0).max(100).optional(),
      retry: retryList.optional(),
      catch: catchList.optional(),
      resultPath: jsonPath.optional(),
    })
    .strict(),
]);

export type TwerkState = z.output<typeof twerkStateUnion>;

/** The rules of one state that need more than one field; the data may be partly invalid (zod runs refinements on "dirty" values). */
function checkTwerkState(state: TwerkState, ctx: RefinementCtx): void {
  switch (state.type) {
    case 'task':
      checkHeartbeat(state.timeout, state.heartbeat, SPELLING, ctx);
      checkTransition(state.next, state.end, SPELLING, ctx);
      return;
    case 'wait':
      checkWait([['seconds', state.seconds], ['timestamp', state.timestamp], ['seconds_path', state.seconds_path], ['timestamp_path', state.timestamp_path]], ctx);
      checkTransition(state.next, state.end, SPELLING, ctx);
      return;
    case 'pass':
    case 'parallel':
    case 'map':
      checkTransition(state.next, state.end, SPELLING, ctx);
      return;
    case 'choice':
    case 'succeed':
    case 'fail':
      return;
  }
}

export const twerkStateSchema = twerkStateUnion.superRefine(checkTwerkState);

export interface TwerkMachine {
  readonly comment?: string;
  readonly startAt: string;
  readonly states: Readonly<Record<string, TwerkState>>;
  readonly timeout?: number;
}

/** Twerk nests the same StateMachine type in parallel branches and map processors, so one schema serves all three places. */
export const twerkMachineSchema: z.ZodType<TwerkMachine> = z
  .object({
    comment: z.string().optional(),
    startAt: stateName,
    states: z.record(stateName, twerkStateSchema).refine((states) => Object.keys(states).length > 0, AT_LEAST_ONE_STATE),
    timeout: positiveInt.optional(),
  })
  .strict()
  .openapi('TwerkStateMachine', {
    description: "A state machine in Twerk's camelCase dialect of the Amazon States Language: lowercase state types, task states carry their image and run.",
    example: {
      comment: 'Build, retrying failures',
      startAt: 'Build',
      states: {
        Build: {
          type: 'task',
          image: 'alpine:3.20',
          run: 'echo building',
          timeout: 300,
          retry: [{ errorEquals: ['TaskFailed'], intervalSeconds: 1, maxAttempts: 3, backoffRate: 2 }],
          next: 'Done',
        },
        Done: { type: 'succeed' },
      },
    },
  }) as unknown as z.ZodType<TwerkMachine>;
