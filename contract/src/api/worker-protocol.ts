/**
 * The HTTP worker protocol at seed 004's paths. When auth is configured these routes need the worker
 * token (or an API key); with no auth configured they are open, so seed 004's workers run as written.
 */
import { claimRequestSchema, claimResponseSchema, completeRequestSchema, failRequestSchema, heartbeatResponseSchema, logAppendSchema, workerInfoSchema, workerRegistrationSchema } from '../wire/index.ts';
import { z } from '../zod.ts';
import { c, errors, meta } from './common.ts';

const leaseParams = z.object({ lease_id: z.string().min(1).max(128) });
const workerMeta = meta({ tag: 'workers', worker: true });

export const workerProtocolRoutes = c.router({
  register: {
    method: 'POST',
    path: '/api/workers/register',
    body: workerRegistrationSchema,
    responses: { 200: workerInfoSchema, ...errors(400, 401, 415) },
    summary: 'Register a worker',
    description: 'Idempotent: registering again updates the labels.',
    metadata: workerMeta,
  },
  listWorkers: {
    method: 'GET',
    path: '/api/workers',
    responses: { 200: z.array(workerInfoSchema), ...errors(401) },
    summary: 'List HTTP workers',
    description: 'Registered workers; offline when no heartbeat or claim for twice their lease TTL.',
    metadata: workerMeta,
  },
  workerHeartbeat: {
    method: 'POST',
    path: '/api/workers/:worker_id/heartbeat',
    pathParams: z.object({ worker_id: z.string().min(1).max(128) }),
    body: c.noBody(),
    responses: { 200: workerInfoSchema, ...errors(401, 404) },
    summary: 'Worker liveness',
    description: 'Marks the worker alive without holding a lease.',
    metadata: workerMeta,
  },
  claim: {
    method: 'POST',
    path: '/api/jobs/claim',
    body: claimRequestSchema,
    responses: { 200: claimResponseSchema, ...errors(400, 401, 415) },
    summary: 'Claim a job',
    description: 'Leases the next job whose required labels the worker has, for lease_ttl_secs. Answers null when there is nothing to do (after waiting up to wait_secs). The lease carries a fencing token: reports from an older lease of the same job are refused.',
    metadata: workerMeta,
  },
  heartbeat: {
    method: 'POST',
    path: '/api/jobs/:lease_id/heartbeat',
    pathParams: leaseParams,
    body: c.noBody(),
    responses: { 200: heartbeatResponseSchema, ...errors(401, 404, 409) },
    summary: 'Extend a lease',
    description: 'Renews the lease by its own TTL (not a fixed 30 s), measured on the database clock. `cancel: true` means the job was cancelled: stop and report. 409 when the lease has expired or ended.',
    metadata: workerMeta,
  },
  appendLogs: {
    method: 'POST',
    path: '/api/jobs/:lease_id/logs',
    pathParams: leaseParams,
    body: logAppendSchema,
    responses: { 200: z.object({ accepted: z.number().int().min(0) }), ...errors(400, 401, 404, 409, 413, 415) },
    summary: 'Append log chunks',
    description: 'Chunks are de-duplicated by sequence, so a retried request appends nothing twice. 409 for an ended lease.',
    metadata: workerMeta,
  },
  complete: {
    method: 'POST',
    path: '/api/jobs/:lease_id/complete',
    pathParams: leaseParams,
    body: completeRequestSchema,
    responses: { 200: z.object({ status: z.literal('OK') }), ...errors(400, 401, 404, 409, 415) },
    summary: 'Complete a job',
    description: 'Idempotent: repeating the same completion answers 200 again. 409 when the lease expired or was superseded (the job may be running elsewhere).',
    metadata: workerMeta,
  },
  fail: {
    method: 'POST',
    path: '/api/jobs/:lease_id/fail',
    pathParams: leaseParams,
    body: failRequestSchema,
    responses: { 200: z.object({ status: z.literal('OK'), retry: z.boolean() }), ...errors(400, 401, 404, 409, 415) },
    summary: 'Fail a job',
    description: 'Idempotent like complete. With retryable: true the job is retried with backoff while attempts remain; `retry` says whether it will be.',
    metadata: workerMeta,
  },
  cancelled: {
    method: 'GET',
    path: '/api/jobs/:workflow_id/:job_id/cancelled',
    pathParams: z.object({ workflow_id: z.string().min(1).max(128), job_id: z.string().min(1).max(128) }),
    responses: { 200: z.boolean(), ...errors(401, 404) },
    summary: 'Is the job cancelled?',
    description: 'Seed 004\'s polling check; the heartbeat answer carries the same news.',
    metadata: workerMeta,
  },
});
