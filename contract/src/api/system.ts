import { healthSchema, metricsSchema, nodeSchema, queueInfoSchema } from '../wire/index.ts';
import { z } from '../zod.ts';
import { c, errors, idParams, meta } from './common.ts';

const queueParams = z.object({ name: z.string().min(1).max(255) });

export const systemRoutes = c.router({
  health: {
    method: 'GET',
    path: '/health',
    responses: { 200: healthSchema, 503: healthSchema, ...errors(429) },
    summary: 'Health',
    description: 'UP when the database answers; 503 DOWN otherwise. Needs no credentials.',
    metadata: meta({ tag: 'system', public: true }),
  },
  openapi: {
    method: 'GET',
    path: '/openapi.json',
    responses: { 200: z.record(z.string(), z.unknown()), ...errors(429) },
    summary: 'This API, as OpenAPI 3.1',
    description: 'The document generated from the same contract the server and the SDK are built on.',
    metadata: meta({ tag: 'system', public: true }),
  },
  metrics: {
    method: 'GET',
    path: '/metrics',
    responses: { 200: metricsSchema, ...errors(401) },
    summary: 'Metrics',
    description: 'Running jobs and tasks, online nodes and their mean CPU use (JSON, as Tork).',
    metadata: meta({ tag: 'system' }),
  },
  listNodes: {
    method: 'GET',
    path: '/nodes',
    responses: { 200: z.array(nodeSchema), ...errors(401) },
    summary: 'List nodes',
    description: 'Coordinators and workers seen in the last 5 minutes, by name. OFFLINE when no heartbeat for 60 s.',
    metadata: meta({ tag: 'system' }),
  },
  getNode: {
    method: 'GET',
    path: '/nodes/:id',
    pathParams: idParams,
    responses: { 200: nodeSchema, ...errors(401, 404) },
    summary: 'Get a node',
    description: 'One coordinator or worker.',
    metadata: meta({ tag: 'system' }),
  },
  listQueues: {
    method: 'GET',
    path: '/queues',
    responses: { 200: z.array(queueInfoSchema), ...errors(401) },
    summary: 'List queues',
    description: 'Every work queue with its backlog, subscribers and in-flight count.',
    metadata: meta({ tag: 'system' }),
  },
  getQueue: {
    method: 'GET',
    path: '/queues/:name',
    pathParams: queueParams,
    responses: { 200: queueInfoSchema, ...errors(401, 404) },
    summary: 'Get a queue',
    description: 'One work queue.',
    metadata: meta({ tag: 'system' }),
  },
  deleteQueue: {
    method: 'DELETE',
    path: '/queues/:name',
    pathParams: queueParams,
    body: c.noBody(),
    responses: { 200: c.noBody(), ...errors(400, 401, 403, 404) },
    summary: 'Purge a queue',
    description: 'Drops the waiting messages of a task queue; 400 for coordinator queues.',
    metadata: meta({ tag: 'system' }),
  },
});
