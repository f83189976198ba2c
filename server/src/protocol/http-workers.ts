/**
 * The any-language HTTP worker protocol (seed 004, research/workflow-graph.md §2–3) on Twerk's tasks,
 * with workflow-graph's weaknesses fixed (§11):
 *   - a claim is a lease on the task's own record: fenced by the attempt, for the TTL the worker asked
 *     for, renewed by that TTL, and checked against the database's clock on every call (the reaper
 *     only sweeps up after workers that stopped calling);
 *   - claims long-poll (`wait_secs`), waking on the coordinator's notification for their queues;
 *   - complete and fail are idempotent for the same lease and refused (409) for a stale one;
 *   - the heartbeat answer says whether the task was cancelled;
 *   - log chunks are accepted only for a live lease and de-duplicated by sequence; `::set-output`
 *     lines in stdout become the task's outputs, and the task's result rides on one of them.
 * Routing: a claim's labels name the queues it serves (a task's `queue`); no labels means `default`.
 * In the protocol's words a Twerk job is a workflow (`workflow_id`) and a task is a job (`job_id`).
 */
import { LOST_WORKER } from '../coordinator/coordinator.ts';
import { timeoutMs } from '../coordinator/plan.ts';
import { heartbeatNode, listNodes, registerNode, type NodeRecord } from '../datastore/nodes.ts';
import { appendNumberedLogParts } from '../datastore/logs.ts';
import { addOutputs, claimReady, getTask, hasLaterAttempt, nextRetryAt, renewLease, taskByLease, upstreamOutputs, type ClaimedTask } from '../datastore/tasks.ts';
import { getJob } from '../datastore/jobs.ts';
import type { Engine } from '../engine/engine.ts';
import { readSetOutputs, RESULT_OUTPUT, taskCommand } from './command.ts';

export interface WorkerInfo {
  readonly worker_id: string;
  readonly labels: string[];
  readonly registered_at_ms: number;
  readonly last_heartbeat_ms: number;
  readonly current_job: string | null;
  readonly status: 'idle' | 'busy' | 'offline';
}

export type LeaseAnswer<T> = { readonly kind: 'ok'; readonly value: T } | { readonly kind: 'not-found' } | { readonly kind: 'conflict'; readonly message: string };

const ok = <T>(value: T): LeaseAnswer<T> => ({ kind: 'ok', value });
const NOT_FOUND = { kind: 'not-found' } as const;
const conflict = (message: string): LeaseAnswer<never> => ({ kind: 'conflict', message });

const queuesOf = (labels: readonly string[]) => (labels.length > 0 ? [...new Set(labels)] : ['default']);

function workerInfo(node: NodeRecord): WorkerInfo {
  return {
    worker_id: node.id,
    labels: node.queues,
    registered_at_ms: +node.startedAt,
    last_heartbeat_ms: +node.lastHeartbeatAt,
    current_job: node.currentTask,
    status: node.status !== 'UP' ? 'offline' : node.taskCount > 0 ? 'busy' : 'idle',
  };
}

export async function registerWorker(engine: Engine, workerId: string, labels: readonly string[]): Promise<WorkerInfo> {
  await registerNode(engine.db, { id: workerId, name: workerId, kind: 'http', version: 'http', queues: queuesOf(labels) });
  return (await listWorkers(engine)).find((worker) => worker.worker_id === workerId)!;
}

export async function listWorkers(engine: Engine): Promise<WorkerInfo[]> {
  return (await listNodes(engine.db, ['http'])).map(workerInfo);
}

export async function workerHeartbeat(engine: Engine, workerId: string): Promise<WorkerInfo | undefined> {
  if (!(await heartbeatNode(engine.db, workerId))) return undefined;
  return (await listWorkers(engine)).find((worker) => worker.worker_id === workerId);
}

export interface ClaimRequest {
  readonly worker_id: string;
  readonly labels: readonly string[];
  readonly lease_ttl_secs: number;
  readonly wait_secs: number;
}

async function describe(engine: Engine, claimed: ClaimedTask, request: ClaimRequest) {
  const timeout = timeoutMs(claimed.spec);
  const timeoutSecs = timeout === undefined ? undefined : Math.max(1, Math.ceil(timeout / 1000));
  const command = taskCommand({ id: claimed.id, jobId: claimed.jobId, spec: claimed.spec, ...(timeoutSecs !== undefined ? { timeoutSecs } : {}) });
  return {
    job: {
      job_id: claimed.id,
      workflow_id: claimed.jobId,
      command,
      required_labels: [claimed.queue],
      attempt: claimed.attempt - 1,
      ...(claimed.spec.env !== undefined ? { env: { ...claimed.spec.env } } : {}),
      ...(timeoutSecs !== undefined ? { timeout_secs: timeoutSecs } : {}),
      upstream_outputs: await upstreamOutputs(engine.db, claimed.jobId),
      task: claimed.spec as unknown as Record<string, unknown>,
    },
    lease: {
      lease_id: claimed.leaseId!,
      job_id: claimed.id,
      workflow_id: claimed.jobId,
      worker_id: request.worker_id,
      ttl_secs: request.lease_ttl_secs,
      granted_at_ms: +claimed.startedAt,
      expires_at: new Date(claimed.leaseExpiresAt).toISOString(),
      fencing_token: claimed.attempt,
    },
  };
}

/** When this process last marked each claiming worker alive: a worker claiming often is written once every few seconds. */
const lastSeen = new Map<string, number>();
const SEEN_EVERY_MS = 5_000;

async function seen(engine: Engine, workerId: string, queues: readonly string[]): Promise<void> {
  if (Date.now() - (lastSeen.get(workerId) ?? 0) < SEEN_EVERY_MS) return;
  // Claiming keeps the worker listed (registration is optional, as in seed 004).
  if (!(await heartbeatNode(engine.db, workerId))) await registerNode(engine.db, { id: workerId, name: workerId, kind: 'http', version: 'http', queues });
  lastSeen.set(workerId, Date.now());
  if (lastSeen.size > 10_000) lastSeen.clear();
}

/** Leases the next task of the worker's queues, waiting up to wait_secs for one; null when there is none. */
export async function claim(engine: Engine, request: ClaimRequest, signal?: AbortSignal) {
  const queues = queuesOf(request.labels);
  await seen(engine, request.worker_id, queues);
  const deadline = Date.now() + request.wait_secs * 1000;
  for (;;) {
    const [claimed] = await claimReady(engine.db, { queues, limit: 1, nodeId: request.worker_id, leaseMs: request.lease_ttl_secs * 1000, withLeaseId: true });
    if (claimed !== undefined) {
      try {
        return await describe(engine, claimed, request);
      } catch (error) {
        // A task no shell could run (an env name that is not an identifier): it fails, and the worker gets the next one.
        await engine.report([{ type: 'failed', taskId: claimed.id, error: (error as Error).message, leaseId: claimed.leaseId!, retryable: false, at: Date.now() }]);
        continue;
      }
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0 || signal?.aborted || engine.signals === undefined) return null;
    // Wait for a wake-up, or for a retry's backoff to end (that sends none).
    const retryAt = await nextRetryAt(engine.db, queues);
    await engine.signals.wait(queues, retryAt === undefined ? remaining : Math.min(remaining, Math.max(10, +retryAt - Date.now())), signal);
  }
}

export async function heartbeat(engine: Engine, leaseId: string): Promise<LeaseAnswer<{ lease_id: string; expires_at: string; cancel: boolean }>> {
  const expiresAt = await renewLease(engine.db, leaseId);
  if (expiresAt !== undefined) return ok({ lease_id: leaseId, expires_at: new Date(expiresAt).toISOString(), cancel: false });
  const task = await taskByLease(engine.db, leaseId);
  if (task === undefined) return NOT_FOUND;
  if (task.state === 'CANCELLED') return ok({ lease_id: leaseId, expires_at: new Date(task.leaseExpiresAt ?? Date.now()).toISOString(), cancel: true });
  return conflict(task.state === 'RUNNING' ? 'the lease expired: the task is given to another attempt' : `the lease ended: the task is ${task.state}`);
}

export interface LogChunk {
  readonly sequence: number;
  readonly data: string;
  readonly stream: 'stdout' | 'stderr';
}

export async function appendLogs(engine: Engine, leaseId: string, chunks: readonly LogChunk[]): Promise<LeaseAnswer<{ accepted: number }>> {
  const task = await taskByLease(engine.db, leaseId);
  if (task === undefined) return NOT_FOUND;
  if (!task.live) return conflict(task.state === 'RUNNING' ? 'the lease expired' : `the lease ended: the task is ${task.state}`);
  const outputs: Record<string, string> = {};
  const parts: { number: number; contents: string }[] = [];
  for (const chunk of chunks) {
    let contents = chunk.data;
    if (chunk.stream === 'stdout') {
      const read = readSetOutputs(chunk.data);
      Object.assign(outputs, read.outputs);
      if (read.result !== undefined) outputs[RESULT_OUTPUT] = read.result;
      contents = read.text;
    }
    if (contents.trim() !== '') parts.push({ number: chunk.sequence + 1, contents });
  }
  await addOutputs(engine.db, task.id, outputs);
  return ok({ accepted: await appendNumberedLogParts(engine.db, task.id, parts) });
}

/** The result and outputs a completion records: the script's $TWERK_OUTPUT, or the outputs as JSON when it wrote none. */
function resultOf(stored: Readonly<Record<string, string>> | null, sent: Readonly<Record<string, string>>): { result: string; outputs: Record<string, string> } {
  const { [RESULT_OUTPUT]: written, ...outputs } = { ...(stored ?? {}), ...sent };
  const result = written !== undefined && written !== '' ? written : Object.keys(outputs).length > 0 ? JSON.stringify(outputs) : '';
  return { result, outputs };
}

export async function complete(engine: Engine, leaseId: string, sent: Readonly<Record<string, string>>): Promise<LeaseAnswer<{ status: 'OK' }>> {
  const task = await taskByLease(engine.db, leaseId);
  if (task === undefined) return NOT_FOUND;
  if (task.state === 'COMPLETED') return ok({ status: 'OK' }); // the same completion, again
  if (!task.live) return conflict(task.state === 'RUNNING' ? 'the lease expired: the task may be running elsewhere' : `the lease ended: the task is ${task.state}`);
  const { result, outputs } = resultOf(task.outputs, sent);
  const settled = await engine.report([{ type: 'completed', taskId: task.id, result, outputs, leaseId, at: Date.now() }]);
  return settled.includes(task.id) ? ok({ status: 'OK' }) : conflict('the lease ended before the completion arrived');
}

export async function fail(engine: Engine, leaseId: string, error: string, retryable: boolean): Promise<LeaseAnswer<{ status: 'OK'; retry: boolean }>> {
  const task = await taskByLease(engine.db, leaseId);
  if (task === undefined) return NOT_FOUND;
  const retries = () => hasLaterAttempt(engine.db, task, task.attempt);
  // The same failure, again (not the coordinator's verdict on a lease that ran out).
  if (task.state === 'FAILED' && task.error !== LOST_WORKER) return ok({ status: 'OK', retry: await retries() });
  if (!task.live) return conflict(task.state === 'RUNNING' ? 'the lease expired: the task may be running elsewhere' : `the lease ended: the task is ${task.state}`);
  const { result } = resultOf(task.outputs, {});
  const settled = await engine.report([{ type: 'failed', taskId: task.id, error, leaseId, retryable, at: Date.now(), ...(result !== '' ? { result } : {}) }]);
  if (!settled.includes(task.id)) return conflict('the lease ended before the failure arrived');
  return ok({ status: 'OK', retry: await retries() });
}

/** Seed 004's cancellation poll; undefined when there is no such task of that job. */
export async function isCancelled(engine: Engine, workflowId: string, jobId: string): Promise<boolean | undefined> {
  const task = await getTask(engine.db, jobId);
  if (task === undefined || task.jobId !== workflowId) return undefined;
  if (task.state === 'CANCELLED') return true;
  return (await getJob(engine.db, workflowId))?.state === 'CANCELLED';
}
