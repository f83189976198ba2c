/**
 * The any-language HTTP worker protocol (seed 004; research/workflow-graph.md §2–3), snake_case on
 * the wire so seed 004's Python, Node and Go workers run unchanged. Our additions fix its bugs: leases
 * carry a fencing attempt and an expiry, heartbeats answer with `cancel`, complete/fail are idempotent.
 */
import { z } from '../zod.ts';
import { stringRecord, timestamp } from './common.ts';

const workerId = z.string().min(1).max(128);
const labels = z.array(z.string().min(1).max(64)).max(64);

export const workerRegistrationSchema = z
  .object({ worker_id: workerId, labels })
  .openapi('WorkerRegistration', { example: { worker_id: 'py-1a2b3c4d', labels: ['python'] } });

export const claimRequestSchema = z
  .object({
    worker_id: workerId,
    labels,
    lease_ttl_secs: z.number().int().min(5).max(3600).default(30).describe('How long the lease lasts without a heartbeat.'),
    wait_secs: z.number().int().min(0).max(60).default(0).describe('Long poll: wait up to this long for work before answering null.'),
  })
  .openapi('ClaimRequest', { example: { worker_id: 'py-1a2b3c4d', labels: ['python'], lease_ttl_secs: 60 } });

export const queuedJobSchema = z
  .object({
    job_id: z.string(),
    workflow_id: z.string(),
    command: z.string().describe('A shell command line to run with sh -c.'),
    required_labels: z.array(z.string()),
    attempt: z.number().int().min(0),
    env: stringRecord.optional(),
    timeout_secs: z.number().int().min(1).optional(),
    upstream_outputs: z.record(z.string(), stringRecord).optional().describe('Outputs of the tasks of the same job that completed, by task id.'),
    task: z.record(z.string(), z.unknown()).optional().describe("The whole Twerk task (templates evaluated), for workers that run it their own way rather than with sh -c command."),
  })
  .openapi('QueuedJob', { description: "A Twerk task as the protocol's job: workflow_id is the Twerk job's id, job_id the task's. command runs it with sh -c, and prints its $TWERK_OUTPUT as a ::set-output line the server reads from the logs." });

export const leaseSchema = z
  .object({
    lease_id: z.string(),
    job_id: z.string(),
    workflow_id: z.string(),
    worker_id: z.string(),
    ttl_secs: z.number().int(),
    granted_at_ms: z.number().int(),
    expires_at: timestamp,
    fencing_token: z.number().int().min(1).describe('Grows with every claim of the same job: a stale lease can never report.'),
  })
  .openapi('Lease');

export const claimResponseSchema = z
  .object({ job: queuedJobSchema, lease: leaseSchema })
  .nullable()
  .openapi('ClaimResponse', { description: 'The claimed job and its lease, or null when there is nothing to do.' });

export const heartbeatResponseSchema = z
  .object({ lease_id: z.string(), expires_at: timestamp, cancel: z.boolean().describe('True when the job was cancelled: stop and report fail.') })
  .openapi('HeartbeatResponse', { example: { lease_id: 'l1', expires_at: '2026-11-22T10:01:00Z', cancel: false } });

export const completeRequestSchema = z
  .object({ outputs: stringRecord.default({}) })
  .openapi('CompleteRequest', { example: { outputs: { artifact: 's3://bucket/build.tar' } } });

export const failRequestSchema = z
  .object({ error: z.string().max(65_536), retryable: z.boolean().default(false) })
  .openapi('FailRequest', { example: { error: 'exit status 1', retryable: true } });

export const logChunkSchema = z
  .object({
    workflow_id: z.string(),
    job_id: z.string(),
    sequence: z.number().int().min(0),
    data: z.string(),
    timestamp_ms: z.number().int().min(0),
    stream: z.enum(['stdout', 'stderr']),
  })
  .openapi('LogChunk');

export const logAppendSchema = z.object({ chunks: z.array(logChunkSchema).max(1000) }).openapi('LogAppend');

export const workerInfoSchema = z
  .object({
    worker_id: z.string(),
    labels: z.array(z.string()),
    registered_at_ms: z.number().int(),
    last_heartbeat_ms: z.number().int(),
    current_job: z.string().nullable(),
    status: z.enum(['idle', 'busy', 'offline']),
  })
  .openapi('WorkerInfo');

export type ClaimResponse = z.output<typeof claimResponseSchema>;
export type QueuedJob = z.output<typeof queuedJobSchema>;
export type Lease = z.output<typeof leaseSchema>;
export type LogChunk = z.output<typeof logChunkSchema>;
