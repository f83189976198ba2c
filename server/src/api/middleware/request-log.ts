/**
 * One log line per request (`middleware.web.logger.*`), written when the answer has gone: method,
 * route pattern, path, status, duration and remote address. Never headers, bodies or the query string
 * (they carry API keys, passwords and tokens). Requests matching `skip` (`METHOD /path`, `*` wildcards,
 * default `GET /health`) are not logged.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestLogLevel, WebSettings } from './settings.ts';
import { wildcardMatcher } from './wildcard.ts';

/** What the request log writes to: a pino logger, or anything with its level methods. */
export type RequestLogger = Readonly<Record<RequestLogLevel, (fields: Record<string, unknown>, message: string) => void>>;

export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export function requestLogHook(settings: WebSettings['logger'], logger: RequestLogger) {
  const skipped = wildcardMatcher(settings.skip);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const path = pathOf(request.url);
    if (skipped(`${request.method} ${path}`)) return;
    logger[settings.level](
      {
        method: request.method,
        ...(request.routeOptions.url !== undefined ? { route: request.routeOptions.url } : {}),
        path,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        remote: request.ip,
      },
      'request',
    );
  };
}
