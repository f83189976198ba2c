/**
 * Headers that keep browsers from misusing API answers (Twerk's addition; on unless
 * `middleware.web.secureheaders.enabled = false`). Set when the request arrives, so every answer carries
 * them: errors, 404s, 413s, 429s and CORS preflights too. HSTS only when `hsts` (seconds) is set: a
 * server reached over plain HTTP must not tell browsers it is HTTPS-only.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebSettings } from './settings.ts';

export function securityHeadersHook(settings: WebSettings['secureHeaders']) {
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
    // API answers are live state (a job's progress, a queue's size): never serve them from a cache.
    'Cache-Control': 'no-store',
    ...(settings.hstsSeconds !== undefined ? { 'Strict-Transport-Security': `max-age=${settings.hstsSeconds}` } : {}),
  };
  return async (_request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.headers(headers);
  };
}
