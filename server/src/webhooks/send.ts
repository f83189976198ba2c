/**
 * One attempt: a POST with got, bounded by a timeout, never retried by got itself (retries are the
 * outbox's, durable), redirects not followed. Answers what happened, never throws.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { RequestError } from 'got';

export type AttemptResult =
  | { readonly kind: 'answered'; readonly status: number; readonly retryAfter?: string }
  | { readonly kind: 'unreachable'; readonly error: string }
  | { readonly kind: 'aborted' };

export interface Agents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

export function createAgents(maxSockets: number): Agents {
  return { http: new HttpAgent({ keepAlive: true, maxSockets }), https: new HttpsAgent({ keepAlive: true, maxSockets }) };
}

export function destroyAgents(agents: Agents): void {
  agents.http.destroy();
  agents.https.destroy();
}

export async function post(url: string, headers: Readonly<Record<string, string>>, body: string, timeoutMs: number, signal: AbortSignal, agents: Agents): Promise<AttemptResult> {
  try {
    const response = await got.post(url, {
      body,
      headers: { ...headers },
      timeout: { request: timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      responseType: 'text',
      agent: { http: agents.http, https: agents.https },
      signal,
    });
    const retryAfter = response.headers['retry-after'];
    return { kind: 'answered', status: response.statusCode, ...(typeof retryAfter === 'string' ? { retryAfter } : {}) };
  } catch (caught) {
    if (signal.aborted) return { kind: 'aborted' };
    if (caught instanceof RequestError) {
      const what = caught.code === 'ETIMEDOUT' ? `no answer within ${timeoutMs} ms` : caught.message;
      return { kind: 'unreachable', error: caught.code !== undefined && !what.includes(caught.code) ? `${what} (${caught.code})` : what };
    }
    return { kind: 'unreachable', error: caught instanceof Error ? caught.message : String(caught) };
  }
}
