/** The fastify side of metrics: GET /metrics in either format, and every request timed by route. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../db/database.ts';
import { metricsFormat, type MetricsFormat } from './negotiate.ts';
import { UNMATCHED_ROUTE, type MetricsRegistry } from './registry.ts';
import { readSnapshot, torkMetrics } from './snapshot.ts';

/** The GET /metrics handler: Tork's JSON, or Prometheus text when the client asks for it (negotiate.ts). */
export function metricsHandler(db: Queryable, metrics: MetricsRegistry) {
  return async ({ query, headers, reply }: { query: { format?: MetricsFormat | undefined }; headers: { accept?: string | undefined }; reply: { header(name: string, value: string): unknown } }) => {
    const snapshot = await readSnapshot(db);
    reply.header('vary', 'Accept');
    if (metricsFormat(headers.accept, query.format) === 'json') return { status: 200 as const, body: torkMetrics(snapshot) };
    reply.header('content-type', metrics.contentType);
    // The contract's 200 is the JSON; the text is its other representation (see the route's description).
    return { status: 200 as const, body: (await metrics.exposition(snapshot)) as unknown as ReturnType<typeof torkMetrics> };
  };
}

/** An onResponse hook: the request's duration under its route pattern — never the raw URL, whose ids would be a series each. */
export function requestMetricsHook(metrics: MetricsRegistry) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
  };
}
