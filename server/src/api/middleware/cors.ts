/**
 * CORS (`middleware.web.cors.*`), answered before anything else looks at a request, so a browser's
 * preflight never meets the rate limit or authentication (a preflight carries no credentials).
 *
 * - An allowed origin is answered with `*` when origins are `*` and credentials are off; otherwise the
 *   origin itself is echoed, with `Vary: Origin`, because browsers refuse `*` on credentialed requests.
 * - `*` for methods or headers echoes what the preflight asks for, which browsers accept with credentials too.
 * - The `null` origin (sandboxed frames, files) is allowed only when listed literally, never by `*`;
 *   an origin that is not scheme://host[:port] is never allowed.
 * - A preflight from an origin not allowed gets a bare 204: the browser then refuses the request.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebSettings } from './settings.ts';
import { wildcardMatcher } from './wildcard.ts';

/** Headers a script may read from an answer besides the safelisted ones: the rate limit's. */
const EXPOSED = 'RateLimit-Limit, RateLimit-Remaining, Retry-After';

function addVary(reply: FastifyReply, names: string): void {
  const current = reply.getHeader('vary');
  reply.header('Vary', current === undefined || current === '' ? names : `${String(current)}, ${names}`);
}

export function corsHook(settings: WebSettings['cors']) {
  const matches = wildcardMatcher(settings.origins);
  const anyOrigin = settings.origins.includes('*');
  const wildcardAnswer = anyOrigin && !settings.credentials;
  // Browsers send scheme://host[:port]; anything else is no browser's, and must not slip through a `*` pattern.
  const allowed = (origin: string) => (origin === 'null' ? settings.origins.includes('null') : /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+$/i.test(origin) && matches(origin));
  const anyMethod = settings.methods.includes('*');
  const anyHeader = settings.headers.includes('*');

  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const origin = request.headers.origin;
    const requestedMethod = request.headers['access-control-request-method'];
    const preflight = request.method === 'OPTIONS' && typeof requestedMethod === 'string';
    if (typeof origin !== 'string') return undefined;
    // When the answer depends on the origin, caches must keep one per origin.
    if (!wildcardAnswer) addVary(reply, 'Origin');
    if (!allowed(origin)) return preflight ? reply.code(204).send() : undefined;

    reply.header('Access-Control-Allow-Origin', wildcardAnswer ? '*' : origin);
    if (settings.credentials) reply.header('Access-Control-Allow-Credentials', 'true');
    if (!preflight) {
      reply.header('Access-Control-Expose-Headers', EXPOSED);
      return undefined;
    }
    reply.header('Access-Control-Allow-Methods', anyMethod ? requestedMethod.toUpperCase() : settings.methods.join(', '));
    const requestedHeaders = request.headers['access-control-request-headers'];
    if (anyHeader) {
      if (typeof requestedHeaders === 'string' && requestedHeaders !== '') reply.header('Access-Control-Allow-Headers', requestedHeaders);
      addVary(reply, 'Access-Control-Request-Method, Access-Control-Request-Headers');
    } else {
      reply.header('Access-Control-Allow-Headers', settings.headers.join(', '));
    }
    return reply.code(204).send();
  };
}
