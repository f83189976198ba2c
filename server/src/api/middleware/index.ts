/**
 * The web middleware in front of every route, as fastify hooks in this order:
 *
 *   1. request log — written when the answer has gone (fastify times the request from its arrival);
 *   2. security headers;
 *   3. CORS — answers preflights itself;
 *   4. rate limit — keyed by the client (client.ts);
 *   5. authentication — registered by app.ts after this, before the routes;
 *   6. body limit — fastify's own `bodyLimit`, applied when the body is read (see fastifyOptions).
 */
import type { FastifyInstance } from 'fastify';
import type { ClientIdentifier } from './client.ts';
import { corsHook } from './cors.ts';
import { rateLimitHook } from './rate-limit.ts';
import { requestLogHook, type RequestLogger } from './request-log.ts';
import { securityHeadersHook } from './security-headers.ts';
import type { WebSettings } from './settings.ts';

export { clientIdOf, type ClientIdentifier } from './client.ts';
export { enabledRoutes, ROUTE_GROUPS } from './endpoints.ts';
export type { RequestLogger } from './request-log.ts';
export { ALL_ENDPOINTS, DEFAULT_WEB_SETTINGS, type EndpointGroup, type EndpointToggles, type WebSettings } from './settings.ts';

/** The settings fastify takes at construction: the body limit, and whether X-Forwarded-For is believed. */
export function fastifyOptions(settings: WebSettings): { bodyLimit: number; trustProxy: boolean } {
  return { bodyLimit: settings.bodyLimit, trustProxy: settings.trustProxy };
}

export interface MiddlewareOptions {
  /** Where request lines go; without one there is no request log. */
  readonly logger?: RequestLogger;
  /** Whom a request's credentials claim it is, for the rate limiter (client.ts). */
  readonly clientId?: ClientIdentifier;
}

export function registerWebMiddleware(app: FastifyInstance, settings: WebSettings, options: MiddlewareOptions = {}): void {
  app.decorateRequest('twerkClientId', undefined);
  if (settings.logger.enabled && options.logger !== undefined) app.addHook('onResponse', requestLogHook(settings.logger, options.logger));
  if (settings.secureHeaders.enabled) app.addHook('onRequest', securityHeadersHook(settings.secureHeaders));
  if (settings.cors.enabled) app.addHook('onRequest', corsHook(settings.cors));
  if (settings.rateLimit.enabled) app.addHook('onRequest', rateLimitHook(settings.rateLimit, options.clientId));
}
