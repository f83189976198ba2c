/**
 * Type-level test (checked by `tsc -p test/tsconfig.json`, never run): the types openapi-typescript
 * generates from openapi/openapi.json and the types the ts-rest contract infers from its zod schemas
 * describe the same requests and responses. `Same` means identical up to `readonly`; where the two
 * differ for a known reason, `Assignable` checks the direction that must hold, a comment says why, the
 * rest of that type is still checked with `Same`, and the difference itself is pinned down so this
 * file notices when it goes away. The checks of the checks are at the end.
 */
import type { AppRoute, ClientInferRequest, ClientInferResponseBody } from '@ts-rest/core';
import type { contract } from '@twerk/contract';
import type { components, paths } from './generated/schema.d.ts';

type Contract = typeof contract;

// --- helpers -------------------------------------------------------------------------------------

type IsAny<T> = 0 extends 1 & T ? true : false;
/** `any` agrees with everything and `never` is what a misspelt path or status resolves to: neither may pass. */
type Vacuous<T> = IsAny<T> extends true ? true : [T] extends [never] ? true : false;
/**
 * Drops `readonly` at every depth. The contract's recursive task documents are hand-written interfaces
 * with readonly arrays (zod cannot infer recursion); openapi-typescript writes mutable ones. That is a
 * difference only TypeScript sees.
 */
type Normal<T> = T extends readonly (infer Item)[] ? Normal<Item>[] : T extends object ? { -readonly [K in keyof T]: Normal<T[K]> } : T;
type Identical<A, B> = (<T>() => T extends Normal<A> ? 1 : 2) extends <T>() => T extends Normal<B> ? 1 : 2 ? true : false;
/** A and B are the same type (not merely mutually assignable: an optional field only one side has counts). */
export type Same<A, B> = true extends Vacuous<A> | Vacuous<B> ? false : Identical<A, B>;
export type Assignable<From, To> = true extends Vacuous<From> | Vacuous<To> ? false : [From] extends [To] ? true : false;
/** Compiles only for `true`: `check<Same<A, B>>()`. */
function check<T extends true>(): T | undefined {
  return undefined;
}

type Schemas = components['schemas'];
type Operation<P extends keyof paths, M extends keyof paths[P]> = NonNullable<paths[P][M]>;
type ResponseOf<P extends keyof paths, M extends keyof paths[P], S extends number> =
  Operation<P, M> extends { responses: infer R } ? (S extends keyof R ? (R[S] extends { content: { 'application/json': infer B } } ? B : never) : never) : never;
type RequestOf<P extends keyof paths, M extends keyof paths[P]> = Operation<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type QueryOf<P extends keyof paths, M extends keyof paths[P]> = NonNullable<Operation<P, M> extends { parameters: { query?: infer Q } } ? Q : never>;
type PathParamsOf<P extends keyof paths, M extends keyof paths[P]> = Operation<P, M> extends { parameters: { path: infer Q } } ? Q : never;

/** The contract's side: what its client receives (zod output) and sends (zod input). */
type Body<R extends AppRoute, S extends keyof R['responses']> = ClientInferResponseBody<R, S>;
type Request<R extends AppRoute> = ClientInferRequest<R>;

// --- jobs ----------------------------------------------------------------------------------------

/**
 * Job documents. What a client built from the spec sends, the contract accepts. The converse fails
 * only for durations (`timeout`, `wait.timeout`, `autoDelete.after`, `retry.initialDelay`/`maxDelay`,
 * `probe.timeout`): they are `text` in zod, so its input type takes a string, number or boolean, while
 * the spec declares `type: string` (fields.ts overrides the schema with `.openapi({ type: 'string' })`).
 * The spec is the honest one: a Go duration is text, and the only non-string the server's validation
 * lets through is the number 0 as a retry delay. Every field without a duration under it agrees exactly.
 */
// POST /jobs also takes a state machine (either dialect); its job half is compared here, the machines below.
type SubmitBodyAny = Request<Contract['jobs']['submit']>['body'];
type OpenApiSubmitBodyAny = RequestOf<'/jobs', 'post'>;
type SubmitBody = Extract<SubmitBodyAny, { tasks: unknown }>;
type OpenApiSubmitBody = Extract<OpenApiSubmitBodyAny, { tasks: unknown }>;
check<Same<OpenApiSubmitBody, Schemas['JobDocument']>>();
check<Same<Exclude<OpenApiSubmitBodyAny, OpenApiSubmitBody>, Schemas['TwerkStateMachine'] | Schemas['AwsStateMachine']>>();
check<Assignable<OpenApiSubmitBody, SubmitBody>>();
check<Assignable<Exclude<SubmitBodyAny, SubmitBody>, Request<Contract['machines']['submit']>['body']>>();
check<Same<Omit<SubmitBody, 'wait' | 'autoDelete' | 'defaults' | 'tasks'>, Omit<OpenApiSubmitBody, 'wait' | 'autoDelete' | 'defaults' | 'tasks'>>>();
check<Same<SubmitBody['wait'], { timeout: string | number | boolean } | undefined>>();
check<Same<OpenApiSubmitBody['wait'], { timeout: string } | undefined>>();
check<Same<Omit<NonNullable<SubmitBody['defaults']>, 'timeout' | 'retry'>, Omit<NonNullable<OpenApiSubmitBody['defaults']>, 'timeout' | 'retry'>>>();
type DurationBearing = 'timeout' | 'retry' | 'pre' | 'post' | 'sidecars' | 'parallel' | 'each' | 'subjob';
type TaskIn = SubmitBody['tasks'][number];
type OpenApiTaskIn = OpenApiSubmitBody['tasks'][number];
check<Same<Omit<TaskIn, DurationBearing>, Omit<OpenApiTaskIn, DurationBearing>>>();
check<Same<Omit<NonNullable<TaskIn['retry']>, 'initialDelay' | 'maxDelay'>, Omit<NonNullable<OpenApiTaskIn['retry']>, 'initialDelay' | 'maxDelay'>>>();
check<Same<Omit<NonNullable<TaskIn['pre']>[number], 'timeout'>, Omit<NonNullable<OpenApiTaskIn['pre']>[number], 'timeout'>>>();
check<Same<Omit<NonNullable<TaskIn['each']>, 'task'>, Omit<NonNullable<OpenApiTaskIn['each']>, 'task'>>>();
check<Same<NonNullable<TaskIn['parallel']>['failFast'], NonNullable<OpenApiTaskIn['parallel']>['failFast']>>();
check<Same<Omit<NonNullable<TaskIn['subjob']>, 'tasks' | 'autoDelete' | 'webhooks'>, Omit<NonNullable<OpenApiTaskIn['subjob']>, 'tasks' | 'autoDelete' | 'webhooks'>>>();
// The one direction that fails, so this file notices if the two ever come to agree on durations.
check<Same<TaskIn['timeout'], string | number | boolean | undefined>>();
check<Same<OpenApiTaskIn['timeout'], string | undefined>>();
check<Same<Request<Contract['jobs']['submit']>['query'], QueryOf<'/jobs', 'post'>>>();

// The submit answer is the summary, or the full job when waiting.
type SubmitAnswer = Body<Contract['jobs']['submit'], 200>;
check<Same<ResponseOf<'/jobs', 'post', 200>, Schemas['JobSummary'] | Schemas['Job']>>();
check<Assignable<SubmitAnswer, ResponseOf<'/jobs', 'post', 200>>>();
check<Same<Exclude<SubmitAnswer, { execution: unknown }>, Schemas['JobSummary']>>();
// The full job is GET /jobs/{id}'s, below.
check<Same<Extract<SubmitAnswer, { execution: unknown }>, Body<Contract['jobs']['get'], 200>>>();

/**
 * A job's `defaults` and `webhooks`, and a task's `mounts`, reuse the request-side components
 * (JobDefaults, Webhook, Mount) in responses. Those fields are `text` in the contract: a string, number
 * or boolean in, always a string out. The spec describes the input, so the OpenAPI response type is
 * wider (e.g. `webhooks[].url: string | number | boolean`, where the server only ever sends a string).
 * Everything the server sends fits the spec; the converse holds for every other field.
 */
type JobBody = Body<Contract['jobs']['get'], 200>;
type OpenApiJob = ResponseOf<'/jobs/{id}', 'get', 200>;
check<Same<OpenApiJob, Schemas['Job']>>();
check<Assignable<JobBody, OpenApiJob>>();
check<Same<Omit<JobBody, 'defaults' | 'webhooks' | 'execution'>, Omit<OpenApiJob, 'defaults' | 'webhooks' | 'execution'>>>();
check<Same<Omit<JobBody['execution'][number], 'mounts'>, Omit<OpenApiJob['execution'][number], 'mounts'>>>();
check<Same<NonNullable<JobBody['webhooks']>[number]['event'], NonNullable<OpenApiJob['webhooks']>[number]['event']>>();
// The difference itself, so this file notices if it goes away.
check<Same<NonNullable<JobBody['webhooks']>[number]['url'], string>>();
check<Same<NonNullable<OpenApiJob['webhooks']>[number]['url'], string | number | boolean>>();
check<Same<NonNullable<NonNullable<JobBody['defaults']>['limits']>['cpus'], string | undefined>>();
check<Same<NonNullable<NonNullable<OpenApiJob['defaults']>['limits']>['cpus'], string | number | boolean | undefined>>();
check<Same<PathParamsOf<'/jobs/{id}', 'get'>, Request<Contract['jobs']['get']>['params']>>();
check<Same<Body<Contract['jobs']['get'], 404>, ResponseOf<'/jobs/{id}', 'get', 404>>>();

check<Same<Body<Contract['jobs']['list'], 200>, ResponseOf<'/jobs', 'get', 200>>>();
check<Same<Body<Contract['jobs']['list'], 200>['items'][number], Schemas['JobSummary']>>();
check<Same<Request<Contract['jobs']['list']>['query'], QueryOf<'/jobs', 'get'>>>();

check<Same<Body<Contract['jobs']['log'], 200>, ResponseOf<'/jobs/{id}/log', 'get', 200>>>();
check<Same<Body<Contract['jobs']['log'], 200>['items'][number], Schemas['TaskLogPart']>>();
check<Same<Request<Contract['jobs']['log']>['query'], QueryOf<'/jobs/{id}/log', 'get'>>>();

check<Same<Body<Contract['jobs']['cancel'], 200>, ResponseOf<'/jobs/{id}/cancel', 'put', 200>>>();
check<Same<Body<Contract['jobs']['cancelByPost'], 200>, ResponseOf<'/jobs/{id}/cancel', 'post', 200>>>();
check<Same<Body<Contract['jobs']['restart'], 200>, ResponseOf<'/jobs/{id}/restart', 'put', 200>>>();
check<Same<Body<Contract['jobs']['restart'], 400>, ResponseOf<'/jobs/{id}/restart', 'put', 400>>>();
check<Same<Body<Contract['jobs']['delete'], 409>, ResponseOf<'/jobs/{id}', 'delete', 409>>>();

// --- tasks ---------------------------------------------------------------------------------------

// `mounts` as for jobs above: Mount.opts is `text` (string | number | boolean in, string out).
type TaskBody = Body<Contract['tasks']['get'], 200>;
type OpenApiTask = ResponseOf<'/tasks/{id}', 'get', 200>;
check<Same<OpenApiTask, Schemas['Task']>>();
check<Assignable<TaskBody, OpenApiTask>>();
check<Same<Omit<TaskBody, 'mounts'>, Omit<OpenApiTask, 'mounts'>>>();
check<Same<Omit<NonNullable<TaskBody['mounts']>[number], 'opts'>, Omit<NonNullable<OpenApiTask['mounts']>[number], 'opts'>>>();
check<Same<NonNullable<NonNullable<OpenApiTask['mounts']>[number]['opts']>[string], string | number | boolean>>();
check<Same<Body<Contract['tasks']['log'], 200>, ResponseOf<'/tasks/{id}/log', 'get', 200>>>();

// --- scheduled jobs ------------------------------------------------------------------------------

// The scheduled-job document shares the job document's fields (and its durations, as above).
type ScheduleBody = Request<Contract['scheduledJobs']['create']>['body'];
type OpenApiScheduleBody = RequestOf<'/scheduled-jobs', 'post'>;
check<Same<OpenApiScheduleBody, Schemas['ScheduledJobDocument']>>();
check<Assignable<OpenApiScheduleBody, ScheduleBody>>();
check<Same<Omit<ScheduleBody, 'autoDelete' | 'defaults' | 'tasks'>, Omit<OpenApiScheduleBody, 'autoDelete' | 'defaults' | 'tasks'>>>();
check<Same<Omit<ScheduleBody['tasks'][number], DurationBearing>, Omit<OpenApiScheduleBody['tasks'][number], DurationBearing>>>();
check<Same<Body<Contract['scheduledJobs']['create'], 200>, ResponseOf<'/scheduled-jobs', 'post', 200>>>();
check<Same<Body<Contract['scheduledJobs']['create'], 400>, ResponseOf<'/scheduled-jobs', 'post', 400>>>();
check<Same<Body<Contract['scheduledJobs']['list'], 200>, ResponseOf<'/scheduled-jobs', 'get', 200>>>();
check<Same<Body<Contract['scheduledJobs']['get'], 200>, ResponseOf<'/scheduled-jobs/{id}', 'get', 200>>>();
check<Same<Body<Contract['scheduledJobs']['pause'], 200>, ResponseOf<'/scheduled-jobs/{id}/pause', 'put', 200>>>();
check<Same<Body<Contract['scheduledJobs']['resume'], 200>, ResponseOf<'/scheduled-jobs/{id}/resume', 'put', 200>>>();
check<Same<Body<Contract['scheduledJobs']['delete'], 200>, ResponseOf<'/scheduled-jobs/{id}', 'delete', 200>>>();

// --- system --------------------------------------------------------------------------------------

check<Same<Body<Contract['system']['health'], 200>, ResponseOf<'/health', 'get', 200>>>();
check<Same<Body<Contract['system']['health'], 503>, ResponseOf<'/health', 'get', 503>>>();
check<Same<Body<Contract['system']['listQueues'], 200>, ResponseOf<'/queues', 'get', 200>>>();
check<Same<Body<Contract['system']['getQueue'], 200>, ResponseOf<'/queues/{name}', 'get', 200>>>();
check<Same<Body<Contract['system']['listNodes'], 200>, ResponseOf<'/nodes', 'get', 200>>>();
check<Same<Body<Contract['system']['getNode'], 200>, ResponseOf<'/nodes/{id}', 'get', 200>>>();
check<Same<Body<Contract['system']['metrics'], 200>, ResponseOf<'/metrics', 'get', 200>>>();
check<Same<Request<Contract['system']['metrics']>['query'], QueryOf<'/metrics', 'get'>>>();

// --- errors --------------------------------------------------------------------------------------

check<Same<Body<Contract['jobs']['submit'], 400>, Schemas['ErrorBody']>>();
check<Same<Body<Contract['jobs']['submit'], 400>, ResponseOf<'/jobs', 'post', 400>>>();
check<Same<Body<Contract['jobs']['submit'], 408>, ResponseOf<'/jobs', 'post', 408>>>();
check<Same<Body<Contract['system']['health'], 429>, ResponseOf<'/health', 'get', 429>>>();

// --- the worker protocol -------------------------------------------------------------------------

type ClaimBody = Request<Contract['workers']['claim']>['body'];
check<Same<ClaimBody, RequestOf<'/api/jobs/claim', 'post'>>>();
check<Same<Body<Contract['workers']['claim'], 200>, ResponseOf<'/api/jobs/claim', 'post', 200>>>();
// The null of "nothing to do" is in both.
check<Assignable<null, ResponseOf<'/api/jobs/claim', 'post', 200>>>();
check<Same<NonNullable<Body<Contract['workers']['claim'], 200>>['lease'], Schemas['Lease']>>();
check<Same<Request<Contract['workers']['register']>['body'], RequestOf<'/api/workers/register', 'post'>>>();
check<Same<Body<Contract['workers']['register'], 200>, ResponseOf<'/api/workers/register', 'post', 200>>>();
check<Same<Body<Contract['workers']['heartbeat'], 200>, ResponseOf<'/api/jobs/{lease_id}/heartbeat', 'post', 200>>>();
check<Same<Request<Contract['workers']['appendLogs']>['body'], RequestOf<'/api/jobs/{lease_id}/logs', 'post'>>>();
check<Same<Request<Contract['workers']['complete']>['body'], RequestOf<'/api/jobs/{lease_id}/complete', 'post'>>>();
check<Same<Request<Contract['workers']['fail']>['body'], RequestOf<'/api/jobs/{lease_id}/fail', 'post'>>>();
check<Same<Body<Contract['workers']['fail'], 200>, ResponseOf<'/api/jobs/{lease_id}/fail', 'post', 200>>>();
check<Same<Body<Contract['workers']['cancelled'], 200>, ResponseOf<'/api/jobs/{workflow_id}/{job_id}/cancelled', 'get', 200>>>();

// --- the checks themselves -----------------------------------------------------------------------

check<Same<{ a: string }, { a: string }>>();
// @ts-expect-error `any` agrees with nothing here (it would hide a type that failed to resolve)
check<Same<any, { a: string }>>();
// @ts-expect-error nor does `never` (a path or status the spec does not have)
check<Same<ResponseOf<'/jobs', 'get', 418>, ResponseOf<'/jobs', 'get', 418>>>();
// @ts-expect-error a narrower field is not the same type
check<Same<{ a: 'x' }, { a: string }>>();
// @ts-expect-error a missing required field is not the same type
check<Same<{ a: string }, { a: string; b: number }>>();
// @ts-expect-error an optional field is not a required one
check<Same<{ a?: string }, { a: string }>>();
// @ts-expect-error a field only one side has is a difference, even an optional one
check<Same<{ a: string; b?: number }, { a: string }>>();
// @ts-expect-error so is one deep inside an array
check<Same<{ items: { a: string; b?: number }[] }, { items: { a: string }[] }>>();
// @ts-expect-error and a union with a member fewer
check<Same<'UP' | 'DOWN', 'UP' | 'DOWN' | 'OFFLINE'>>();
check<Same<{ a: string } | null, { a: string } | null>>();
check<Same<{ readonly a: readonly string[] }, { a: string[] }>>();
// @ts-expect-error a wider response type does not fit a narrower one
check<Assignable<Schemas['Webhook'], NonNullable<JobBody['webhooks']>[number]>>();
