/**
 * Route handlers for triggers: Twerk's CRUD (at /triggers and /api/v1/triggers, with its error kinds
 * in `error`), publishing events, firing by hand, inbound webhooks, and the record of firings.
 * Inbound webhooks are authenticated by the trigger's own secret over the raw body, before the body
 * is parsed; they need no API credentials.
 */
import { readDocument, type TriggerInput } from '@twerk/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { getTrigger, listFirings, listTriggers, triggerIdByHookPath } from '../datastore/triggers.ts';
import type { Engine } from '../engine/engine.ts';
import type { FiringOutcome } from '../triggers/fire.ts';
import { hookIsAuthentic } from '../triggers/signature.ts';
import type { StoreOutcome } from '../triggers/store.ts';
import { statusOfContractError } from './bodies.ts';
import { firingView, triggerView } from './views.ts';

/** The trigger an inbound webhook's path named, found and authenticated before the handler runs. */
const hookTargets = new WeakMap<FastifyRequest, string>();

/**
 * Finds the trigger an inbound webhook's path names and checks the caller knows its secret, over the
 * raw bytes; only then is the body parsed.
 */
function authenticHook(engine: Engine) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const id = await triggerIdByHookPath(engine.db, (request.params as { path: string }).path);
    if (id === undefined) return void (await reply.code(404).send({ message: 'no trigger has this hook path', error: 'TriggerNotFound' }));
    const trigger = await getTrigger(engine.db, id);
    if (trigger?.secret == null || !hookIsAuthentic(trigger.secret, raw, request.headers)) {
      return void (await reply.code(401).send({ message: "the webhook is not signed with this trigger's secret (X-Twerk-Signature: sha256=<HMAC-SHA256 of the body>) and carries no matching token", error: 'Unauthorized' }));
    }
    const tree = readDocument(raw, request.headers['content-type'] ?? 'application/json');
    if (!tree.ok) return void (await reply.code(statusOfContractError(tree.error)).send(tree.error));
    if (tree.value === null || typeof tree.value !== 'object' || Array.isArray(tree.value)) {
      return void (await reply.code(400).send({ message: 'the body must be a JSON object', errors: [{ path: '', message: 'must be an object' }] }));
    }
    request.body = tree.value;
    hookTargets.set(request, id);
  };
}

function storeAnswer<S extends 200 | 201>(outcome: StoreOutcome, success: S) {
  if (outcome.ok) return { status: success, body: triggerView(outcome.trigger) };
  const status = outcome.kind === 'TriggerNotFound' ? 404 : outcome.kind === 'VersionConflict' || outcome.kind === 'IdTaken' || outcome.kind === 'HookPathTaken' ? 409 : 400;
  return { status: status as 400, body: { message: outcome.message, error: outcome.kind, ...(outcome.errors !== undefined ? { errors: [...outcome.errors] } : {}) } };
}

/** Outcomes as the Fired answer lists them: jobs started (or started before, for a repeated key) and triggers that did not. */
function firedAnswer(outcomes: readonly FiringOutcome[]) {
  const jobs = outcomes.flatMap((outcome) => (outcome.kind === 'started' ? [{ triggerId: outcome.triggerId, jobId: outcome.jobId, ...(outcome.duplicate ? { duplicate: true } : {}) }] : []));
  const skipped = outcomes.flatMap((outcome) => (outcome.kind === 'skipped' ? [{ triggerId: outcome.triggerId, reason: outcome.reason }] : []));
  return { jobs, ...(skipped.length > 0 ? { skipped } : {}) };
}

type Key = { 'idempotency-key'?: string | undefined };
const keyOf = (headers: Key) => (headers['idempotency-key'] !== undefined ? { idempotencyKey: headers['idempotency-key'] } : {});
const notFound = (id: string) => ({ status: 404 as const, body: { message: `trigger ${id} not found`, error: 'TriggerNotFound' } });

export function triggerHandlers(engine: Engine) {
  const crud = {
    list: async () => ({ status: 200 as const, body: (await listTriggers(engine.db)).map(triggerView) }),
    create: async ({ body }: { body: TriggerInput }) => storeAnswer(await engine.triggers.create(body), 201),
    get: async ({ params }: { params: { id: string } }) => {
      const trigger = await getTrigger(engine.db, params.id);
      return trigger === undefined ? notFound(params.id) : { status: 200 as const, body: triggerView(trigger) };
    },
    update: async ({ params, body }: { params: { id: string }; body: TriggerInput }) => storeAnswer(await engine.triggers.update(params.id, body), 200),
    delete: async ({ params }: { params: { id: string } }) => ((await engine.triggers.remove(params.id)) ? { status: 204 as const, body: undefined } : notFound(params.id)),
  };
  const firing = {
    fire: async ({ params, body, headers }: { params: { id: string }; body: { payload?: Record<string, unknown> | undefined } | undefined; headers: Key }) => {
      const outcome = await engine.triggers.fire(params.id, { source: 'manual', payload: body?.payload ?? {}, ignoreCondition: true, ...keyOf(headers) });
      if (outcome.kind === 'not-found') return notFound(params.id);
      if (outcome.kind === 'skipped' && outcome.reason === 'the trigger is disabled') return { status: 409 as const, body: { message: 'the trigger is disabled', error: 'TriggerDisabled' } };
      return { status: 200 as const, body: firedAnswer([outcome]) };
    },
    event: async ({ body, headers }: { body: { name: string; payload?: Record<string, unknown> | undefined }; headers: Key }) => ({
      status: 200 as const,
      body: firedAnswer(await engine.triggers.publish(body.name, body.payload ?? {}, headers['idempotency-key'])),
    }),
    hook: {
      hooks: { preValidation: authenticHook(engine) },
      handler: async ({ request, body, headers }: { request: FastifyRequest; body: Record<string, unknown>; headers: Key }) => {
        const id = hookTargets.get(request)!;
        // GitHub names every delivery and resends it with the same name: that is an idempotency key.
        const delivery = request.headers['x-github-delivery'];
        const key = headers['idempotency-key'] ?? (typeof delivery === 'string' && delivery !== '' ? delivery.slice(0, 256) : undefined);
        const outcome = await engine.triggers.fire(id, { source: 'webhook', payload: body, ...(key !== undefined ? { idempotencyKey: key } : {}) });
        if (outcome.kind === 'not-found') return notFound(id);
        if (outcome.kind === 'skipped' && outcome.reason === 'the trigger is disabled') return { status: 409 as const, body: { message: 'the trigger is disabled', error: 'TriggerDisabled' } };
        return { status: 200 as const, body: firedAnswer([outcome]) };
      },
    },
    firings: async ({ params, query }: { params: { id: string }; query: { page?: number | undefined; size?: number | undefined } }) => {
      if ((await getTrigger(engine.db, params.id)) === undefined) return notFound(params.id);
      const number = query.page ?? 1;
      const size = query.size ?? 20;
      const { items, totalItems } = await listFirings(engine.db, params.id, number, size);
      return { status: 200 as const, body: { items: items.map(firingView), number, size: items.length, totalItems, totalPages: Math.ceil(totalItems / size) } };
    },
  };
  return { crud, firing };
}
