/**
 * The HTTP API: fastify serving the routes of the ts-rest contract that this milestone implements
 * (jobs, tasks, nodes, queues, the HTTP worker protocol, health, metrics, the OpenAPI document). Document
 * bodies (YAML or JSON) are read raw and go through `parseDocument`, so a client gets the parser
 * contract's checks and every problem with its path; anything a client can send is answered with a
 * 4xx `{message, errors}`, never a 500.
 */
import { contract, generateOpenApi, nanosToMillis, parseDocument, parseGoDuration, readDocument, SUPPORTED_MEDIA_TYPES, type ContractError, type JobDocument } from '@twerk/contract';
import { initServer, RequestValidationError } from '@ts-rest/fastify';
import fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { getJob, listJobs } from '../datastore/jobs.ts';
import { taskLogParts } from '../datastore/logs.ts';
import { getTask, tasksOfJob } from '../datastore/tasks.ts';
import type { Engine } from '../engine/engine.ts';
import { documentTreeHook, statusOfContractError } from './bodies.ts';
import { scheduledJobHandlers } from './scheduled-jobs.ts';
import { triggerHandlers } from './triggers.ts';
import { jsonBodyHook, operationHandlers, workerTokenHook } from './operations.ts';
import { Redactor } from './redact.ts';
import { ALL_ENDPOINTS, DEFAULT_WEB_SETTINGS, enabledRoutes, fastifyOptions, registerWebMiddleware, type ClientIdentifier, type EndpointToggles, type RequestLogger, type WebSettings } from './middleware/index.ts';
import { metricsHandler, requestMetricsHook } from '../metrics/http.ts';
import { MetricsRegistry } from '../metrics/registry.ts';
import { jobSummaryView, jobView, logPartView, taskView } from './views.ts';
import { accessHandlers } from './access.ts';
import { authHook } from './auth.ts';
import { authEnabled, claimedIdentity, type AuthSettings } from '../auth/authenticate.ts';
import { mayAccess, visibilityOf } from '../auth/policy.ts';
import { existingPrincipals } from '../datastore/access.ts';
import type { JobRecord } from '../datastore/jobs.ts';

export interface AppOptions {
  readonly engine: Engine;
  readonly version: string;
  /** How long `?wait=true` waits without a `wait.timeout` in the document. */
  readonly defaultWaitMs?: number;
  /** When set, the HTTP worker protocol's routes require it. */
  readonly workerToken?: string;
  /** `middleware.web.*`: CORS, rate limit, body limit, request log, security headers (DEFAULT_WEB_SETTINGS when left out). */
  readonly web?: WebSettings;
  /** `coordinator.api.endpoints.*`: route groups switched off answer 404 (all on when left out). */
  readonly endpoints?: Partial<EndpointToggles>;
  /** Where the request log goes (`middleware.web.logger`); no request log without one. */
  readonly logger?: RequestLogger;
  /** Whom a request's credentials claim it is, for the rate limiter; by remote address without one. */
  readonly clientId?: ClientIdentifier;
  /** The process's metrics (the engine's observer feeds them); a set of its own when left out. */
  readonly metrics?: MetricsRegistry;
  /** Basic auth and API keys (`middleware.web.basicauth`/`keyauth`); without it the API is open. */
  readonly auth?: AuthSettings;
}

/** A size for people: 524288 → 512 KiB. */
function kibibytes(bytes: number): string {
  return bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20} MiB` : bytes % 2 ** 10 === 0 ? `${bytes / 2 ** 10} KiB` : `${bytes} bytes`;
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
const WAIT_WORDS = new Set(['true', '1', 'yes', 'blocking']);

/** A state machine as submitted (validated), on its way to an execution. */
type MachineBody = Readonly<Record<string, unknown>>;

function isMachineBody(body: JobDocument | MachineBody): body is MachineBody {
  return !('tasks' in body) && ('states' in body || 'States' in body);
}

/** The views are checked against the contract's response schemas in the API tests. */
function wire<T>(value: unknown): T {
  return value as T;
}

function page(query: { page?: number | undefined; size?: number | undefined }, defaultSize: number) {
  return { page: query.page ?? 1, size: query.size ?? defaultSize };
}

function toPage<T>(items: T[], totalItems: number, number: number, size: number) {
  return { items, number, size: items.length, totalItems, totalPages: Math.ceil(totalItems / size) };
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { engine } = options;
  const web = options.web ?? DEFAULT_WEB_SETTINGS;
  // Bodies up to middleware.web.bodylimit reach the routes, on every route; documents are then held to
  // their own 512 KiB by parseDocument, so a larger limit admits larger worker reports, never larger documents.
  const app = fastify({ ...fastifyOptions(web), logger: false, allowErrorHandlerOverride: true });
  // Request log, security headers, CORS, rate limit — in that order, ahead of every other hook.
  // With auth on, a client is who it claims to be (checked later by the auth hook); otherwise its address.
  const clientId = options.clientId ?? (authEnabled(options.auth) ? (request: FastifyRequest) => claimedIdentity(request.headers) : undefined);
  registerWebMiddleware(app, web, { ...(options.logger !== undefined ? { logger: options.logger } : {}), ...(clientId !== undefined ? { clientId } : {}) });
  // Authentication's onRequest hook goes after these (so preflights and over-limit requests never reach it).
  // Bodies arrive raw: document routes read them through parseDocument, which owns the checks.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ message: 'Not Found' }));
  const metrics = options.metrics ?? new MetricsRegistry();
  app.addHook('onResponse', requestMetricsHook(metrics));

  /**
   * Reads a document body under the parser contract. A job becomes the validated job; a state machine
   * becomes the document as submitted (validated, and kept as written: the execution replays it).
   */
  const readBody = (request: FastifyRequest): { ok: true; body: JobDocument | MachineBody } | { ok: false; status: number; error: ContractError } => {
    const raw = Buffer.isBuffer(request.body) ? request.body : new Uint8Array();
    const parsed = parseDocument(raw, request.headers['content-type']);
    if (!parsed.ok) return { ok: false, status: statusOfContractError(parsed.error), error: parsed.error };
    if (parsed.value.family === 'job') return { ok: true, body: parsed.value.job };
    const tree = readDocument(raw, request.headers['content-type']);
    return tree.ok ? { ok: true, body: tree.value as MachineBody } : { ok: false, status: statusOfContractError(tree.error), error: tree.error };
  };
  const documentHook = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const read = readBody(request);
    if (!read.ok) return void (await reply.code(read.status).send(read.error));
    request.body = read.body;
  };
  const machineHook = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const read = readBody(request);
    if (!read.ok) return void (await reply.code(read.status).send(read.error));
    if (!isMachineBody(read.body)) return void (await reply.code(400).send({ message: 'this is a job, not a state machine: submit it to POST /jobs', errors: [{ path: '', message: 'is a job (it has tasks); a state machine has startAt and states' }] }));
    request.body = read.body;
  };

  /** Submits a job or starts a machine's execution, and waits for it to finish when asked to. */
  const submit = async (body: JobDocument | MachineBody, waitQuery: string | undefined, input: unknown = {}, createdBy: string | null = null) => {
    const id = isMachineBody(body) ? await engine.submitMachine(body, input, createdBy) : await engine.submit(body as JobDocument, createdBy);
    const waitTimeout = isMachineBody(body) ? undefined : (body as JobDocument).wait?.timeout;
    const waiting = waitTimeout !== undefined || WAIT_WORDS.has((waitQuery ?? '').toLowerCase());
    if (!waiting) return { id, waited: false as const };
    const parsedTimeout = waitTimeout === undefined ? undefined : parseGoDuration(waitTimeout);
    const timeoutMs = parsedTimeout?.ok ? nanosToMillis(parsedTimeout.value) : (options.defaultWaitMs ?? 3_600_000);
    return { id, waited: true as const, finished: await engine.waitForJob(id, timeoutMs) };
  };

  const authOn = authEnabled(options.auth);
  /** Who may see a job: its creator, the users and roles it names, an administrator (auth/policy.ts). */
  const visible = (request: FastifyRequest, job: JobRecord | undefined): job is JobRecord => job !== undefined && mayAccess(request.principal, { createdBy: job.createdBy, permissions: job.document.permissions });
  /** With auth on, a job's permissions must name users and roles that exist (as in Tork). */
  const unknownPermissions = async (document: { permissions?: readonly { user?: string | undefined; role?: string | undefined }[] | undefined }) => {
    if (!authOn || document.permissions === undefined) return undefined;
    const users = document.permissions.flatMap((permission) => (permission.user !== undefined ? [permission.user] : []));
    const roles = document.permissions.flatMap((permission) => (permission.role !== undefined ? [permission.role] : []));
    const found = await existingPrincipals(engine.db, users, roles);
    const errors = document.permissions.flatMap((permission, index) =>
      permission.user !== undefined && !found.users.has(permission.user) ? [{ path: `permissions[${index}].user`, message: `names no user "${permission.user}"` }]
      : permission.role !== undefined && !found.roles.has(permission.role) ? [{ path: `permissions[${index}].role`, message: `names no role "${permission.role}"` }]
      : [],
    );
    return errors.length === 0 ? undefined : { message: `${errors[0]!.path}: ${errors[0]!.message}`, errors };
  };

  const s = initServer();
  const { listNodes, getNode, listQueues, getQueue, deleteQueue } = contract.system;
  const served = {
    jobs: contract.jobs,
    tasks: contract.tasks,
    health: contract.system.health,
    openapi: contract.system.openapi,
    metrics: contract.system.metrics,
    nodes: { listNodes, getNode },
    queues: { listQueues, getQueue, deleteQueue },
    workers: contract.workers,
    machines: contract.machines,
    scheduledJobs: contract.scheduledJobs,
    triggers: contract.triggers,
    legacyTriggers: contract.legacyTriggers,
    firing: contract.firing,
    access: contract.access,
  };
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  const operations = operationHandlers(engine, closing.signal);
  const triggers = triggerHandlers(engine);
  const access = accessHandlers(engine.db);
  const treeBody = { preValidation: documentTreeHook() };
  const withTreeBody = <H>(handler: H) => ({ hooks: treeBody, handler });
  const triggerCrud = {
    ...triggers.crud,
    create: withTreeBody(triggers.crud.create),
    update: withTreeBody(triggers.crud.update),
  };
  const workerHooks = { onRequest: workerTokenHook(options.workerToken), preValidation: jsonBodyHook };
  const worker = <H>(handler: H) => ({ hooks: workerHooks, handler });
  const router = s.router(served, {
    jobs: {
      submit: {
        hooks: { preValidation: documentHook },
        handler: async ({ body, query, request }) => {
          const refused = isMachineBody(body as JobDocument | MachineBody) ? undefined : await unknownPermissions(body as JobDocument);
          if (refused !== undefined) return { status: 400, body: refused };
          const submitted = await submit(body as JobDocument | MachineBody, query.wait, {}, request.principal?.username ?? null);
          if (!submitted.waited) return { status: 200, body: wire(jobSummaryView((await getJob(engine.db, submitted.id))!)) };
          const { finished } = submitted;
          if (finished === 'timeout') return { status: 408, body: { message: 'timeout waiting for job to complete' } };
          if (finished === undefined) return { status: 408, body: { message: 'the job was deleted before it finished' } };
          return { status: 200, body: wire(jobView(finished, await tasksOfJob(engine.db, submitted.id))) };
        },
      },
      list: async ({ query, request }) => {
        const { page: number, size } = page(query, 10);
        const visibleTo = visibilityOf(request.principal);
        const result = await listJobs(engine.db, { page: number, size, ...(query.q !== undefined ? { q: query.q } : {}), ...(visibleTo !== undefined ? { visibleTo } : {}) });
        return { status: 200, body: wire(toPage(result.items.map(jobSummaryView), result.totalItems, number, size)) };
      },
      get: async ({ params, request }) => {
        const job = await getJob(engine.db, params.id);
        if (!visible(request, job)) return { status: 404, body: { message: 'job not found' } };
        return { status: 200, body: wire(jobView(job, await tasksOfJob(engine.db, job.id))) };
      },
      delete: async ({ params, request }) => {
        const job = await getJob(engine.db, params.id);
        if (!visible(request, job)) return { status: 404, body: { message: 'job not found' } };
        if (!TERMINAL.has(job.state)) return { status: 409, body: { message: `job is ${job.state}: cancel it before deleting it` } };
        await engine.deleteJob(job.id);
        return { status: 204, body: undefined };
      },
      log: async ({ params, query, request }) => {
        const job = await getJob(engine.db, params.id);
        if (!visible(request, job)) return { status: 404, body: { message: 'job not found' } };
        const { page: number, size } = page(query, 25);
        const tasks = await tasksOfJob(engine.db, job.id);
        const parts = await taskLogParts(engine.db, tasks.map((task) => task.id), number, size, query.q);
        const redact = new Redactor(job.secrets);
        return { status: 200, body: wire(toPage(parts.items.map((part) => logPartView(part, redact)), parts.totalItems, number, size)) };
      },
      cancel: async ({ params, request }) => cancel(params.id, request),
      cancelByPost: async ({ params, request }) => cancel(params.id, request),
      restart: async ({ params, request }) => {
        if (!visible(request, await getJob(engine.db, params.id))) return { status: 404, body: { message: 'job not found' } };
        const outcome = await engine.restart(params.id);
        if (outcome === 'not-found') return { status: 404, body: { message: 'job not found' } };
        if (outcome === 'not-restartable') return { status: 400, body: { message: 'job can not be restarted: only FAILED and CANCELLED jobs can' } };
        if (outcome === 'nothing-to-run') return { status: 400, body: { message: 'job has no more tasks to run' } };
        return { status: 200, body: { status: 'OK' as const } };
      },
    },
    tasks: {
      get: async ({ params, request }) => {
        const task = await getTask(engine.db, params.id);
        const job = task && (await getJob(engine.db, task.jobId));
        if (task === undefined || !visible(request, job)) return { status: 404, body: { message: 'task not found' } };
        return { status: 200, body: wire(taskView(task, new Redactor(job.secrets))) };
      },
      log: async ({ params, query, request }) => {
        const task = await getTask(engine.db, params.id);
        const job = task && (await getJob(engine.db, task.jobId));
        if (task === undefined || !visible(request, job)) return { status: 404, body: { message: 'task not found' } };
        const { page: number, size } = page(query, 25);
        const parts = await taskLogParts(engine.db, [task.id], number, size, query.q);
        const redact = new Redactor(job.secrets);
        return { status: 200, body: wire(toPage(parts.items.map((part) => logPartView(part, redact)), parts.totalItems, number, size)) };
      },
    },
    health: async () => {
      try {
        await engine.db.query('SELECT 1');
        await engine.broker.queueSize('twerk.jobs');
        return { status: 200, body: { status: 'UP' as const, version: options.version } };
      } catch {
        return { status: 503, body: { status: 'DOWN' as const, version: options.version } };
      }
    },
    openapi: async () => ({ status: 200, body: generateOpenApi() }),
    metrics: metricsHandler(engine.db, metrics),
    nodes: operations.nodes,
    queues: operations.queues,
    workers: {
      register: worker(operations.workers.register),
      listWorkers: worker(operations.workers.listWorkers),
      workerHeartbeat: worker(operations.workers.workerHeartbeat),
      claim: worker(operations.workers.claim),
      heartbeat: worker(operations.workers.heartbeat),
      appendLogs: worker(operations.workers.appendLogs),
      complete: worker(operations.workers.complete),
      fail: worker(operations.workers.fail),
      cancelled: worker(operations.workers.cancelled),
    },
    scheduledJobs: scheduledJobHandlers(engine, unknownPermissions),
    access: { ...access, createUser: withTreeBody(access.createUser), createRole: withTreeBody(access.createRole), createKey: withTreeBody(access.createKey) },
    triggers: triggerCrud,
    legacyTriggers: triggerCrud,
    firing: {
      ...triggers.firing,
      fire: { hooks: { preValidation: documentTreeHook({ optional: true }) }, handler: triggers.firing.fire },
      event: withTreeBody(triggers.firing.event),
    },
    machines: {
      submit: {
        hooks: { preValidation: machineHook },
        handler: async ({ body, query, request }) => {
          let input: unknown = {};
          if (query.input !== undefined) {
            try {
              input = JSON.parse(query.input) as unknown;
            } catch (caught) {
              const message = `is not JSON: ${(caught as Error).message}`;
              return { status: 400, body: { message: `input ${message}`, errors: [{ path: 'input', message }] } };
            }
          }
          const { id } = await submit(body as unknown as MachineBody, undefined, input, request.principal?.username ?? null);
          return { status: 200, body: wire(jobSummaryView((await getJob(engine.db, id))!)) };
        },
      },
    },
  });

  async function cancel(id: string, request: FastifyRequest) {
    if (!visible(request, await getJob(engine.db, id))) return { status: 404 as const, body: { message: 'job not found' } };
    const outcome = await engine.cancel(id);
    if (outcome === 'not-found') return { status: 404 as const, body: { message: 'job not found' } };
    if (outcome === 'not-active') return { status: 400 as const, body: { message: 'job is not running' } };
    return { status: 200 as const, body: { status: 'OK' as const } };
  }

  // After the hooks registered above (rate limits and the like): unknown callers are turned away first.
  const authenticate = authHook(engine.db, options.auth, options.workerToken);
  if (authenticate !== undefined) app.addHook('onRequest', authenticate);
  // Route groups switched off (coordinator.api.endpoints.*) are not registered: they answer 404.
  s.registerRouter(served, enabledRoutes(router, { ...ALL_ENDPOINTS, ...options.endpoints }), app, { responseValidation: false });
  // Registered after the router so it replaces ts-rest's handler: every error leaves in our shape.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof RequestValidationError) {
      const issues = [...(error.pathParams?.issues ?? []), ...(error.headers?.issues ?? []), ...(error.query?.issues ?? []), ...(error.body?.issues ?? [])];
      const errors = issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      const kind = /^\/(api\/v1\/)?triggers(\/|$|\?)/.test(request.url) ? { error: 'ValidationFailed' } : {};
      return reply.code(400).send({ message: errors[0] ? `${errors[0].path}: ${errors[0].message}` : 'invalid request', errors, ...kind });
    }
    const status = error.statusCode ?? 500;
    if (status === 413) return reply.code(413).send({ message: `the request body is larger than ${web.bodyLimit} bytes (${kibibytes(web.bodyLimit)}), this server's limit`, code: 'body_too_large' });
    if (status >= 500) {
      request.log.error(error);
      return reply.code(500).send({ message: 'Internal Server Error' });
    }
    return reply.code(status).send({ message: error.message });
  });
  return app;
}

export { SUPPORTED_MEDIA_TYPES };
