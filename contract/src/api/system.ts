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
    responses: { 200: z.record(z.string(), z.unknown()), ...errors(401, 429) },
    summary: 'This API, as OpenAPI 3.1',
    description: 'The document generated from the same contract the server and the SDK are built on. With auth on it needs credentials, like every route but /health.',
    metadata: meta({ tag: 'system' }),
  },
  metrics: {
    method: 'GET',
    path: '/metrics',
    query: z.object({
      format: z.enum(['json', 'prometheus']).optional().describe('json: Tork\'s JSON; prometheus: the Prometheus text format. Without it, the Accept header chooses.'),
    }),
    responses: { 200: metricsSchema, ...errors(400, 401) },
    summary: 'Metrics',
    description:
      'Running jobs, running tasks of running jobs, online (UP) nodes and their mean CPU use, as Tork\'s JSON. ' +
      'In the Prometheus text format instead (`text/plain; version=0.0.4`) with `?format=prometheus`, or when Accept names `text/plain` or ' +
      '`application/openmetrics-text` before or above `application/json` (as a Prometheus scraper does); no Accept, `*/*` or JSON first is JSON. ' +
      'The text has `twerk_*` gauges of the whole cluster read from the database at each scrape (jobs and active tasks by state, queue sizes, ' +
      'online nodes), counters and histograms of the answering process (tasks finished, task and HTTP request durations) and process metrics.',
    metadata: meta({ tag: 'system', alternatives: { 'text/plain': z.string().describe('Prometheus text exposition format 0.0.4') } }),
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
    metadata: meta({ tag: 'system', admin: true }),
  },
});
