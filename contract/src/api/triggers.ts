import { eventSchema, firedSchema, firingSchema, pageSchema, triggerInputSchema, triggerSchema } from '../wire/index.ts';
import { z } from '../zod.ts';
import { c, errors, idParams, meta, pageQuery } from './common.ts';

export const pageOfFirings = pageSchema(firingSchema, 'PageFiring');

/** A retried delivery with the same key starts nothing new: it answers the job the first one started. */
const idempotency = z.object({ 'idempotency-key': z.string().min(1).max(256).optional().describe('Makes firing idempotent per trigger: a retried request with the same key starts no second job.') });

/** The trigger routes, mounted at /triggers and, for clients of older Twerk builds, at /api/v1/triggers. */
const triggerCrud = c.router({
  list: {
    method: 'GET',
    path: '/triggers',
    responses: { 200: z.array(triggerSchema), ...errors(401) },
    summary: 'List triggers',
    description: 'Every trigger, by id.',
    metadata: meta({ tag: 'triggers' }),
  },
  create: {
    method: 'POST',
    path: '/triggers',
    body: triggerInputSchema,
    responses: { 201: triggerSchema, ...errors(400, 401, 403, 409, 415) },
    summary: 'Create a trigger',
    description: 'Its job document is validated now, so a trigger never fires a job that cannot run. 409 if the id is taken.',
    metadata: meta({ tag: 'triggers', admin: true }),
  },
  get: {
    method: 'GET',
    path: '/triggers/:id',
    pathParams: idParams,
    responses: { 200: triggerSchema, ...errors(401, 404) },
    summary: 'Get a trigger',
    description: 'One trigger.',
    metadata: meta({ tag: 'triggers' }),
  },
  update: {
    method: 'PUT',
    path: '/triggers/:id',
    pathParams: idParams,
    body: triggerInputSchema,
    responses: { 200: triggerSchema, ...errors(400, 401, 403, 404, 409, 415) },
    summary: 'Replace a trigger',
    description: 'Optimistic concurrency: send the version you read; 409 when it is stale.',
    metadata: meta({ tag: 'triggers', admin: true }),
  },
  delete: {
    method: 'DELETE',
    path: '/triggers/:id',
    pathParams: idParams,
    body: c.noBody(),
    responses: { 204: c.noBody(), ...errors(401, 403, 404) },
    summary: 'Delete a trigger',
    description: 'It stops firing at once.',
    metadata: meta({ tag: 'triggers', admin: true }),
  },
});

export const triggerRoutes = triggerCrud;
export const legacyTriggerRoutes = c.router(triggerCrud, { pathPrefix: '/api/v1' });

export const firingRoutes = c.router({
  fire: {
    method: 'POST',
    path: '/triggers/:id/fire',
    pathParams: idParams,
    headers: idempotency,
    body: z.object({ payload: z.record(z.string(), z.unknown()).optional() }).strict().optional(),
    responses: { 200: firedSchema, ...errors(400, 401, 403, 404, 409, 415) },
    summary: 'Fire a trigger',
    description: 'Starts its job now with the given payload (its condition is not consulted); 409 when the trigger is disabled.',
    metadata: meta({ tag: 'triggers', admin: true }),
  },
  event: {
    method: 'POST',
    path: '/events',
    headers: idempotency,
    body: eventSchema,
    responses: { 200: firedSchema, ...errors(400, 401, 403, 413, 415) },
    summary: 'Publish an event',
    description: 'Fires every enabled trigger listening for this event name whose condition holds; `skipped` says why the others did not start a job.',
    metadata: meta({ tag: 'triggers' }),
  },
  hook: {
    method: 'POST',
    path: '/hooks/:path',
    pathParams: z.object({ path: z.string().min(1).max(128) }),
    headers: idempotency,
    body: z.record(z.string(), z.unknown()),
    responses: { 200: firedSchema, ...errors(400, 401, 404, 409, 413, 415) },
    summary: 'Receive a webhook',
    description: 'Fires the trigger bound to this hook path; the JSON body is the payload. The caller proves it knows the trigger\'s secret with `X-Twerk-Signature: sha256=<hex HMAC-SHA256 of the body>` (or `X-Hub-Signature-256`), or `Authorization: Bearer <secret>`; 401 otherwise.',
    metadata: meta({ tag: 'triggers', public: true }),
  },
  firings: {
    method: 'GET',
    path: '/triggers/:id/firings',
    pathParams: idParams,
    query: pageQuery(20, 100).omit({ q: true }),
    responses: { 200: pageOfFirings, ...errors(400, 401, 403, 404) },
    summary: 'List a trigger\'s firings',
    description: 'Newest first: the job each one started, or why it started none.',
    metadata: meta({ tag: 'triggers' }),
  },
});
