/**
 * The Twerk client: the ts-rest client of the contract (`client.api`, typed per status code) over the
 * got transport, and conveniences on top that answer the success body or throw a `TwerkApiError`.
 */
import { initClient, type ApiFetcher, type ClientInferRequest, type ClientInferResponseBody, type InitClientReturn } from '@ts-rest/core';
import { contract, type Contract } from '@twerk/contract';
import { TwerkApiError, TwerkTimeoutError } from './errors.ts';
import { readLog, sleep, type LogPart } from './logs.ts';
import { allItems, type Page } from './pages.ts';
import { createTransport, type Auth, type RetryPolicy, type SendArgs } from './transport.ts';

export type Job = ClientInferResponseBody<Contract['jobs']['get'], 200>;
export type JobSummary = ClientInferResponseBody<Contract['jobs']['list'], 200>['items'][number];
export type JobState = Job['state'];
export type JobInput = ClientInferRequest<Contract['jobs']['submit']>['body'];
export type Task = ClientInferResponseBody<Contract['tasks']['get'], 200>;
export type ScheduledJob = ClientInferResponseBody<Contract['scheduledJobs']['get'], 200>;
export type ScheduledJobSummary = ClientInferResponseBody<Contract['scheduledJobs']['list'], 200>['items'][number];
export type ScheduledJobInput = ClientInferRequest<Contract['scheduledJobs']['create']>['body'];
export type QueueInfo = ClientInferResponseBody<Contract['system']['getQueue'], 200>;
export type Node = ClientInferResponseBody<Contract['system']['getNode'], 200>;
export type Health = ClientInferResponseBody<Contract['system']['health'], 200>;
export type Trigger = ClientInferResponseBody<Contract['triggers']['get'], 200>;
export type TriggerInput = ClientInferRequest<Contract['triggers']['create']>['body'];
export type Fired = ClientInferResponseBody<Contract['firing']['event'], 200>;
export type Firing = ClientInferResponseBody<Contract['firing']['firings'], 200>['items'][number];
export interface FiringOptions {
  readonly idempotencyKey?: string;
}
export type { LogPart, Page };

export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set<JobState>(['COMPLETED', 'FAILED', 'CANCELLED']);

export interface ClientOptions {
  /** The server, e.g. http://localhost:8000. */
  readonly baseUrl: string;
  /** `{apiKey}` is sent as X-API-Key, `{username, password}` as basic auth, `{bearer}` as a bearer token. */
  readonly auth?: Auth;
  /** Per request attempt, in milliseconds (default 30 s). */
  readonly timeout?: number;
  /** Retries of idempotent requests (GET, PUT, DELETE, HEAD) after network errors and 429/502/503/504. */
  readonly retry?: RetryPolicy;
}

export type TwerkApi = InitClientReturn<Contract, { baseUrl: string; api: ApiFetcher }>;

export interface ListOptions {
  readonly page?: number;
  readonly size?: number;
  readonly q?: string;
}

export interface WaitOptions {
  /** Milliseconds; without it the wait has no limit. */
  readonly timeout?: number;
  /** Between looks at the job (default 500 ms). */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** Called with every look at the job, the last one included. */
  readonly onUpdate?: (job: Job) => void;
}

export interface LogOptions {
  /** Keep yielding new parts until the job is terminal. */
  readonly follow?: boolean;
  /** Between looks while following (default 500 ms). */
  readonly pollMs?: number;
  /** Parts per request (default 100, the most the API gives). */
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

export interface TwerkClient {
  /** The ts-rest client of the whole contract: every route, answers typed per status code, nothing thrown for a 4xx. */
  readonly api: TwerkApi;
  readonly baseUrl: string;
  readonly jobs: {
    submit(document: JobInput): Promise<JobSummary>;
    /** Sends the text as it is (YAML, or JSON when it is a JSON object), so the server's document checks answer as they are. */
    submitDocument(text: string): Promise<JobSummary>;
    /** With `wait`, the server answers when the job has finished (or 408 at its wait timeout). */
    submitDocument(text: string, options: { readonly wait: true }): Promise<Job>;
    submitDocument(text: string, options?: { readonly wait?: boolean }): Promise<JobSummary | Job>;
    get(id: string): Promise<Job>;
    list(options?: ListOptions): Promise<Page<JobSummary>>;
    /** Every job across the pages, newest first. */
    all(options?: { readonly q?: string }): AsyncGenerator<JobSummary, void, undefined>;
    cancel(id: string): Promise<void>;
    restart(id: string): Promise<void>;
    delete(id: string): Promise<void>;
    /** The job once it is COMPLETED, FAILED or CANCELLED (not thrown for FAILED: look at its state). */
    wait(id: string, options?: WaitOptions): Promise<Job>;
    submitAndWait(document: JobInput, options?: WaitOptions): Promise<Job>;
    /** The job's log parts, oldest first; with `follow`, new ones as they are written until the job is terminal. */
    logs(id: string, options?: LogOptions): AsyncGenerator<LogPart, void, undefined>;
  };
  readonly scheduledJobs: {
    create(document: ScheduledJobInput): Promise<ScheduledJobSummary>;
    createDocument(text: string): Promise<ScheduledJobSummary>;
    list(options?: Omit<ListOptions, 'q'> & { readonly q?: string }): Promise<Page<ScheduledJobSummary>>;
    all(): AsyncGenerator<ScheduledJobSummary, void, undefined>;
    get(id: string): Promise<ScheduledJob>;
    pause(id: string): Promise<void>;
    resume(id: string): Promise<void>;
    delete(id: string): Promise<void>;
  };
  readonly queues: {
    list(): Promise<QueueInfo[]>;
    get(name: string): Promise<QueueInfo>;
    /** Drops the waiting messages of a task queue. */
    purge(name: string): Promise<void>;
  };
  readonly nodes: {
    list(): Promise<Node[]>;
    get(id: string): Promise<Node>;
  };
  readonly tasks: {
    get(id: string): Promise<Task>;
    /** One page of the task's log, newest first (as the API pages it). */
    log(id: string, options?: Omit<ListOptions, 'q'> & { readonly q?: string }): Promise<Page<LogPart>>;
  };
  readonly triggers: {
    list(): Promise<Trigger[]>;
    get(id: string): Promise<Trigger>;
    create(input: TriggerInput): Promise<Trigger>;
    update(id: string, input: TriggerInput): Promise<Trigger>;
    delete(id: string): Promise<void>;
    /** Starts the trigger's job now with this payload; a repeated `idempotencyKey` starts nothing new. */
    fire(id: string, payload?: Record<string, unknown>, options?: FiringOptions): Promise<Fired>;
    /** Publishes an event: every enabled trigger listening for `name` whose condition holds fires. */
    publish(name: string, payload?: Record<string, unknown>, options?: FiringOptions): Promise<Fired>;
    /** One page of the trigger's firings, newest first. */
    firings(id: string, options?: Omit<ListOptions, 'q'>): Promise<Page<Firing>>;
  };
  /** UP, or DOWN when the server answers 503 (not thrown: DOWN is an answer). */
  health(): Promise<Health>;
  /** Closes the kept-alive connections. */
  close(): void;
}

function idempotencyHeaders(options: FiringOptions | undefined): { 'idempotency-key'?: string } {
  return options?.idempotencyKey !== undefined ? { 'idempotency-key': options.idempotencyKey } : {};
}

type Answer = { readonly status: number; readonly body: unknown };
type Success<R extends Answer> = Extract<R, { status: 200 | 201 | 204 }>['body'];

/** The body of a 2xx answer; anything else thrown as a TwerkApiError. */
export function ok<R extends Answer>(response: R): Success<R> {
  if (response.status < 200 || response.status > 299) throw new TwerkApiError(response.status, response.body);
  return response.body as Success<R>;
}

/** The media type a document's text is sent as: JSON when it is a JSON object, else YAML. */
export function documentMediaType(text: string): 'application/json' | 'text/yaml' {
  if (!text.trimStart().startsWith('{')) return 'text/yaml';
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? 'application/json' : 'text/yaml';
  } catch {
    return 'text/yaml';
  }
}

function pageQuery(options: ListOptions | undefined): { page?: number; size?: number; q?: string } {
  return {
    ...(options?.page !== undefined ? { page: options.page } : {}),
    ...(options?.size !== undefined ? { size: options.size } : {}),
    ...(options?.q !== undefined ? { q: options.q } : {}),
  };
}

export function createClient(options: ClientOptions): TwerkClient {
  const transport = createTransport(options);
  const api: TwerkApi = initClient(contract, { baseUrl: transport.baseUrl, api: transport.fetcher });
  const none = () => undefined;

  async function sendDocument(path: string, text: string, extra: Partial<SendArgs> = {}): Promise<Answer> {
    return transport.send({ method: 'POST', path, headers: { 'content-type': documentMediaType(text) }, body: text, ...extra });
  }

  const jobs: TwerkClient['jobs'] = {
    submit: async (document) => ok(await api.jobs.submit({ body: document, query: {} })),
    submitDocument: (async (text: string, submitOptions?: { readonly wait?: boolean }) => {
      const waiting = submitOptions?.wait === true;
      // A server-side wait lasts as long as the job: only the server's own wait timeout (408) ends it.
      const answer = await sendDocument(waiting ? '/jobs?wait=true' : '/jobs', text, waiting ? { timeout: false } : {});
      return ok(answer as { status: 200; body: JobSummary | Job } | { status: 400; body: unknown });
    }) as TwerkClient['jobs']['submitDocument'],
    get: async (id) => ok(await api.jobs.get({ params: { id } })),
    list: async (listOptions) => ok(await api.jobs.list({ query: pageQuery(listOptions) })),
    all: (allOptions) => allItems(async (page) => jobs.list({ page, size: 20, ...(allOptions?.q !== undefined ? { q: allOptions.q } : {}) })),
    cancel: async (id) => void ok(await api.jobs.cancel({ params: { id } })),
    restart: async (id) => void ok(await api.jobs.restart({ params: { id } })),
    delete: async (id) => void ok(await api.jobs.delete({ params: { id } })),
    async wait(id, waitOptions = {}) {
      const deadline = waitOptions.timeout === undefined ? Infinity : Date.now() + waitOptions.timeout;
      for (;;) {
        waitOptions.signal?.throwIfAborted();
        const job = await jobs.get(id);
        (waitOptions.onUpdate ?? none)(job);
        if (TERMINAL_JOB_STATES.has(job.state)) return job;
        const left = deadline - Date.now();
        if (left <= 0) throw new TwerkTimeoutError(id, waitOptions.timeout!, job.state);
        await sleep(Math.min(waitOptions.pollMs ?? 500, left), waitOptions.signal);
      }
    },
    async submitAndWait(document, waitOptions) {
      const submitted = await jobs.submit(document);
      return jobs.wait(submitted.id, waitOptions);
    },
    logs(id, logOptions = {}) {
      return readLog(
        {
          page: async (page, size) => ok(await api.jobs.log({ params: { id }, query: { page, size } })),
          finished: async () => TERMINAL_JOB_STATES.has((await jobs.get(id)).state),
        },
        logOptions,
      );
    },
  };

  const scheduledJobs: TwerkClient['scheduledJobs'] = {
    create: async (document) => ok(await api.scheduledJobs.create({ body: document })),
    createDocument: async (text) => ok((await sendDocument('/scheduled-jobs', text)) as { status: 200; body: ScheduledJobSummary } | { status: 400; body: unknown }),
    list: async (listOptions) => ok(await api.scheduledJobs.list({ query: pageQuery(listOptions) })),
    all: () => allItems(async (page) => scheduledJobs.list({ page, size: 20 })),
    get: async (id) => ok(await api.scheduledJobs.get({ params: { id } })),
    pause: async (id) => void ok(await api.scheduledJobs.pause({ params: { id } })),
    resume: async (id) => void ok(await api.scheduledJobs.resume({ params: { id } })),
    delete: async (id) => void ok(await api.scheduledJobs.delete({ params: { id } })),
  };

  return {
    api,
    baseUrl: transport.baseUrl,
    jobs,
    scheduledJobs,
    queues: {
      list: async () => ok(await api.system.listQueues()),
      get: async (name) => ok(await api.system.getQueue({ params: { name } })),
      purge: async (name) => void ok(await api.system.deleteQueue({ params: { name } })),
    },
    nodes: {
      list: async () => ok(await api.system.listNodes()),
      get: async (id) => ok(await api.system.getNode({ params: { id } })),
    },
    tasks: {
      get: async (id) => ok(await api.tasks.get({ params: { id } })),
      log: async (id, logOptions) => ok(await api.tasks.log({ params: { id }, query: pageQuery(logOptions) })),
    },
    triggers: {
      list: async () => ok(await api.triggers.list()),
      get: async (id) => ok(await api.triggers.get({ params: { id } })),
      create: async (input) => ok(await api.triggers.create({ body: input })),
      update: async (id, input) => ok(await api.triggers.update({ params: { id }, body: input })),
      delete: async (id) => void ok(await api.triggers.delete({ params: { id } })),
      fire: async (id, payload, firing) => ok(await api.firing.fire({ params: { id }, body: payload === undefined ? {} : { payload }, headers: idempotencyHeaders(firing) })),
      publish: async (name, payload, firing) => ok(await api.firing.event({ body: { name, ...(payload !== undefined ? { payload } : {}) }, headers: idempotencyHeaders(firing) })),
      firings: async (id, listOptions) => ok(await api.firing.firings({ params: { id }, query: { ...(listOptions?.page !== undefined ? { page: listOptions.page } : {}), ...(listOptions?.size !== undefined ? { size: listOptions.size } : {}) } })),
    },
    async health() {
      // 503 is the answer DOWN here, not a reason to ask again.
      const answer = await transport.send({ method: 'GET', path: '/health', retryStatuses: [429, 502, 504] });
      return answer.status === 503 ? (answer.body as Health) : ok(answer as { status: 200; body: Health } | { status: 429; body: unknown });
    },
    close: () => transport.close(),
  };
}
