/**
 * Rate limiting (`middleware.web.ratelimit.*`): a token bucket per client (see client.ts), kept in this
 * process — each coordinator limits on its own. Every limited answer says the bucket's size and what is
 * left (RateLimit-Limit, RateLimit-Remaining); over the limit the answer is 429 with Retry-After in whole
 * seconds. /health is never limited: load balancers and orchestrators probe it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientIdOf, type ClientIdentifier } from './client.ts';
import type { WebSettings } from './settings.ts';
import { TokenBuckets } from './token-bucket.ts';

const EXEMPT_ROUTES = new Set(['/health']);

export function rateLimitHook(settings: WebSettings['rateLimit'], identify?: ClientIdentifier, now: () => number = Date.now) {
  const buckets = new TokenBuckets({ rate: settings.rps, burst: settings.burst });
  const limit = String(settings.burst);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (EXEMPT_ROUTES.has(request.routeOptions.url ?? '')) return undefined;
    const client = clientIdOf(request, identify);
    request.twerkClientId = client;
    const take = buckets.take(client, now());
    reply.header('RateLimit-Limit', limit);
    reply.header('RateLimit-Remaining', String(take.remaining));
    if (take.allowed) return undefined;
    reply.header('Retry-After', String(take.retryAfterSeconds));
    return reply.code(429).send({
      message: `too many requests: at most ${settings.rps} a second, ${settings.burst} at once; retry in ${take.retryAfterSeconds} s`,
      code: 'rate_limited',
    });
  };
}
