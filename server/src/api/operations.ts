/**
 * Route handlers for the cluster's moving parts: nodes, work queues and the HTTP worker protocol.
 * Worker routes answer in the protocol's own shapes (snake_case, `null` for an empty claim, 409 for a
 * lease that is gone) and, when a worker token is configured, require it — separate from users'
 * credentials — as `Authorization: Bearer <token>` or `X-Worker-Token`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { getNode, listNodes, type NodeRecord } from '../datastore/nodes.ts';
import { queueCounts } from '../datastore/tasks.ts';
import type { Engine } from '../engine/engine.ts';
import * as protocol from '../protocol/http-workers.ts';

const COORDINATOR_QUEUES = new Set(['twerk.jobs', 'twerk.tasks']);

function nodeView(node: NodeRecord) {
  return {
    id: node.id,
    name: node.name,
    kind: node.kind,
    ...(node.hostname !== null ? { hostname: node.hostname } : {}),
    version: node.version,
    ...(node.queues.length > 0 ? { queue: node.queues.join(','), queues: node.queues } : {}),
    status: node.status,
    startedAt: new Date(node.startedAt).toISOString(),
    lastHeartbeatAt: new Date(node.lastHeartbeatAt).toISOString(),
    taskCount: node.taskCount,
    ...(node.cpuPercent !== null ? { cpuPercent: node.cpuPercent } : {}),
  };
}

/** Queues with tasks waiting or running, and queues a live node serves; subscribers are the live nodes serving them. */
async function queueViews(engine: Engine) {
  const [counts, nodes] = await Promise.all([queueCounts(engine.db), listNodes(engine.db)]);
  const live = nodes.filter((node) => node.status === 'UP');
  const names = new Set([...counts.map((count) => count.name), ...live.flatMap((node) => node.queues)]);
  return [...names].sort().map((name) => {
    const count = counts.find((entry) => entry.name === name);
    return { name, size: count?.size ?? 0, unacked: count?.active ?? 0, subscribers: live.filter((node) => node.queues.includes(name)).length };
  });
}

/** `closing` aborts when the server shuts down: waiting claims answer at once instead of holding it open. */
export function operationHandlers(engine: Engine, closing: AbortSignal) {
  const leaseAnswer = <T>(answer: protocol.LeaseAnswer<T>) => {
    if (answer.kind === 'ok') return { status: 200 as const, body: answer.value };
    if (answer.kind === 'not-found') return { status: 404 as const, body: { message: 'no such lease' } };
    return { status: 409 as const, body: { message: answer.message, code: 'lease_conflict' } };
  };
  return {
    nodes: {
      listNodes: async () => ({ status: 200 as const, body: (await listNodes(engine.db)).map(nodeView) }),
      getNode: async ({ params }: { params: { id: string } }) => {
        const node = await getNode(engine.db, params.id);
        return node === undefined ? { status: 404 as const, body: { message: 'node not found' } } : { status: 200 as const, body: nodeView(node) };
      },
    },
    queues: {
      listQueues: async () => ({ status: 200 as const, body: await queueViews(engine) }),
      getQueue: async ({ params }: { params: { name: string } }) => {
        const queue = (await queueViews(engine)).find((entry) => entry.name === params.name);
        return queue === undefined ? { status: 404 as const, body: { message: 'queue not found' } } : { status: 200 as const, body: queue };
      },
      deleteQueue: async ({ params }: { params: { name: string } }) => {
        if (COORDINATOR_QUEUES.has(params.name)) return { status: 400 as const, body: { message: `${params.name} is a coordinator queue: it cannot be purged` } };
        if (!(await queueViews(engine)).some((entry) => entry.name === params.name)) return { status: 404 as const, body: { message: 'queue not found' } };
        await engine.purgeQueue(params.name);
        return { status: 200 as const, body: undefined };
      },
    },
    workers: {
      register: async ({ body }: { body: { worker_id: string; labels: string[] } }) => ({ status: 200 as const, body: await protocol.registerWorker(engine, body.worker_id, body.labels) }),
      listWorkers: async () => ({ status: 200 as const, body: await protocol.listWorkers(engine) }),
      workerHeartbeat: async ({ params }: { params: { worker_id: string } }) => {
        const worker = await protocol.workerHeartbeat(engine, params.worker_id);
        return worker === undefined ? { status: 404 as const, body: { message: 'worker not registered' } } : { status: 200 as const, body: worker };
      },
      claim: async ({ body, request }: { body: protocol.ClaimRequest; request: FastifyRequest }) => {
        // A long poll ends early when the worker hangs up.
        const hangUp = new AbortController();
        request.raw.socket.once('close', () => hangUp.abort());
        return { status: 200 as const, body: await protocol.claim(engine, body, AbortSignal.any([hangUp.signal, closing])) };
      },
      heartbeat: async ({ params }: { params: { lease_id: string } }) => leaseAnswer(await protocol.heartbeat(engine, params.lease_id)),
      appendLogs: async ({ params, body }: { params: { lease_id: string }; body: { chunks: protocol.LogChunk[] } }) => leaseAnswer(await protocol.appendLogs(engine, params.lease_id, body.chunks)),
      complete: async ({ params, body }: { params: { lease_id: string }; body: { outputs: Record<string, string> } }) => leaseAnswer(await protocol.complete(engine, params.lease_id, body.outputs)),
      fail: async ({ params, body }: { params: { lease_id: string }; body: { error: string; retryable: boolean } }) => leaseAnswer(await protocol.fail(engine, params.lease_id, body.error, body.retryable)),
      cancelled: async ({ params }: { params: { workflow_id: string; job_id: string } }) => {
        const cancelled = await protocol.isCancelled(engine, params.workflow_id, params.job_id);
        return cancelled === undefined ? { status: 404 as const, body: { message: 'no such job in that workflow' } } : { status: 200 as const, body: cancelled };
      },
    },
  };
}

/** Worker routes need the worker token when one is configured (or, with auth on, a user the auth hook let in). */
export function workerTokenHook(token: string | undefined) {
  const expected = token === undefined ? undefined : Buffer.from(token);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // With auth on, the auth hook has already let in the worker token or a permitted user.
    if (expected === undefined || request.workerToken === true || request.principal !== undefined) return;
    const header = request.headers['x-worker-token'] ?? /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const given = Buffer.from(typeof header === 'string' ? header : '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return;
    await reply.code(401).send({ message: 'this route needs the worker token (Authorization: Bearer <token> or X-Worker-Token)' });
  };
}

/** Worker routes take JSON bodies (everything arrives raw, for the document routes' sake). */
export async function jsonBodyHook(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const raw = Buffer.isBuffer(request.body) ? request.body : undefined;
  if (raw === undefined || raw.length === 0) {
    request.body = undefined;
    return;
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && type !== '') return void (await reply.code(415).send({ message: `send JSON (Content-Type: application/json), not ${type}` }));
  try {
    request.body = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    await reply.code(400).send({ message: `the body is not JSON: ${(error as Error).message}` });
  }
}
