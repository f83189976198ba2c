/**
 * The one HTTP path of the client: a ts-rest `ApiFetcher` on got, so the typed client and the
 * conveniences share keep-alive connections, credentials, the timeout and the retry policy. Only
 * idempotent methods are retried (a POST may have been applied before the connection broke), and
 * every status is returned as an answer: deciding what is an error belongs to the caller.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { ApiFetcher, ApiFetcherArgs } from '@ts-rest/core';
import got, { RequestError, type Method, type OptionsInit, type Response } from 'got';
import { TwerkConnectionError } from './errors.ts';

export type Auth = { readonly apiKey: string } | { readonly username: string; readonly password: string } | { readonly bearer: string };

export interface RetryPolicy {
  /** Retries after the first attempt (default 2; 0 turns retrying off). */
  readonly limit?: number;
  /** The first retry's delay; each later one doubles it (default 250 ms). */
  readonly initialDelayMs?: number;
  /** No delay is longer (default 5 s). */
  readonly maxDelayMs?: number;
}

export interface TransportOptions {
  readonly baseUrl: string;
  readonly auth?: Auth;
  /** Per attempt, in milliseconds (default 30 s). */
  readonly timeout?: number;
  readonly retry?: RetryPolicy;
  /** Extra headers on every request. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SendArgs {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Overrides the transport's timeout for this request; `false` for none (a server-side wait). */
  readonly timeout?: number | false;
  /** The answers worth retrying, for a route where some of them mean something (default 429, 502, 503, 504). */
  readonly retryStatuses?: readonly number[];
}

export interface RawResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

export interface Transport {
  readonly baseUrl: string;
  readonly fetcher: ApiFetcher;
  send(args: SendArgs): Promise<RawResponse>;
  /** Closes the kept-alive connections. */
  close(): void;
}

export const IDEMPOTENT_METHODS: readonly Method[] = ['GET', 'PUT', 'DELETE', 'HEAD'];
/** Answers that say "try again later"; a 500 is a bug in the server and is not hidden by retrying. */
const RETRY_STATUSES = [429, 502, 503, 504];

export function authHeaders(auth: Auth | undefined): Record<string, string> {
  if (auth === undefined) return {};
  if ('apiKey' in auth) return { 'x-api-key': auth.apiKey };
  if ('bearer' in auth) return { authorization: `Bearer ${auth.bearer}` };
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}

function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

function toHeaders(incoming: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

export function createTransport(options: TransportOptions): Transport {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  if (!URL.canParse(baseUrl)) throw new TypeError(`not a URL: ${options.baseUrl}`);
  const agent = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const limit = options.retry?.limit ?? 2;
  const initialDelayMs = options.retry?.initialDelayMs ?? 250;
  const maxDelayMs = options.retry?.maxDelayMs ?? 5_000;
  const fixedHeaders = { 'user-agent': 'twerk-sdk/0.1.0', ...options.headers, ...authHeaders(options.auth) };

  async function send(args: SendArgs): Promise<RawResponse> {
    const method = args.method.toUpperCase();
    const url = args.path.startsWith('http://') || args.path.startsWith('https://') ? args.path : `${baseUrl}${args.path}`;
    const timeout = args.timeout === undefined ? (options.timeout ?? 30_000) : args.timeout;
    const request: OptionsInit = {
      method: method as Method,
      headers: { ...fixedHeaders, ...args.headers },
      agent,
      throwHttpErrors: false,
      responseType: 'text',
      followRedirect: false,
      retry: {
        limit: IDEMPOTENT_METHODS.includes(method) ? limit : 0,
        methods: [...IDEMPOTENT_METHODS],
        statusCodes: [...(args.retryStatuses ?? RETRY_STATUSES)],
        // got asks only when its rules allow a retry; the delay is ours: doubling, capped, never 0 (0 means "don't").
        calculateDelay: ({ attemptCount, computedValue }) => (computedValue === 0 ? 0 : Math.max(1, Math.min(initialDelayMs * 2 ** (attemptCount - 1), maxDelayMs))),
      },
      ...(timeout !== false ? { timeout: { request: timeout } } : {}),
      ...(args.body !== undefined ? { body: args.body } : {}),
      ...(args.signal !== undefined ? { signal: args.signal } : {}),
    };
    try {
      const response = (await got(url, request)) as Response<string>;
      const text = response.body;
      const contentType = response.headers['content-type'];
      let body: unknown = text;
      if (text === '') body = undefined;
      else if (isJson(contentType)) {
        try {
          body = JSON.parse(text);
        } catch {
          // Not the JSON it claims to be: the caller sees the text.
        }
      }
      return { status: response.statusCode, body, headers: toHeaders(response.headers) };
    } catch (caught) {
      if (caught instanceof RequestError) {
        const what = caught.code === 'ETIMEDOUT' ? `timed out after ${timeout} ms` : caught.message;
        throw new TwerkConnectionError(`${method} ${url}: ${what}`, { cause: caught, code: caught.code });
      }
      throw caught;
    }
  }

  const fetcher: ApiFetcher = async (args: ApiFetcherArgs) => {
    const body = args.body;
    if (body !== null && body !== undefined && typeof body !== 'string') throw new TypeError('the Twerk client sends JSON or text bodies only');
    return send({ method: args.method, path: args.path, headers: args.headers, body: body ?? undefined, signal: args.fetchOptions?.signal ?? undefined });
  };

  return {
    baseUrl,
    fetcher,
    send,
    close() {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}
