/**
 * Authentication and route-level authorization for the HTTP API, when `middleware.web.basicauth` or
 * `middleware.web.keyauth` is on. Every route of the contract is covered by its metadata: `public`
 * routes (health, the OpenAPI document, inbound webhooks, which carry their own signature) need
 * nothing; `worker` routes take the worker token or an administrator's (or `worker` role's) credentials;
 * `admin` routes need the admin role; the rest need any signed-in user, and the handlers then check the
 * job's permissions. A route that does not exist answers 404 as before, credentials or not.
 */
import { contract, type RouteMetadata } from '@twerk/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.ts';
import { Authenticator, authEnabled, type AuthSettings, type Principal } from '../auth/authenticate.ts';
import { sameSecret } from '../auth/secrets.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in caller (undefined when auth is off, or on public routes). */
    principal?: Principal;
    /** The request carried the worker token. */
    workerToken?: boolean;
  }
}

interface Route {
  readonly method: string;
  readonly path: string;
  readonly metadata?: unknown;
}

function isRoute(value: unknown): value is Route {
  return typeof value === 'object' && value !== null && typeof (value as Route).method === 'string' && typeof (value as Route).path === 'string';
}

/** Every route of the contract by `METHOD /path/:param`, with its metadata. */
export function routeMetadata(router: unknown = contract): Map<string, RouteMetadata> {
  const table = new Map<string, RouteMetadata>();
  const walk = (node: unknown): void => {
    if (isRoute(node)) table.set(`${node.method} ${node.path}`, (node.metadata ?? {}) as RouteMetadata);
    else if (typeof node === 'object' && node !== null) for (const child of Object.values(node)) walk(child);
  };
  walk(router);
  return table;
}

const WORKER_ROLE = 'worker';

export function authHook(db: Database, settings: AuthSettings | undefined, workerToken: string | undefined) {
  if (!authEnabled(settings)) return undefined;
  const routes = routeMetadata();
  const authenticator = new Authenticator(db, settings);
  const challenge = settings.basic ? 'Basic realm="twerk", charset="UTF-8"' : 'Bearer realm="twerk"';
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const pattern = request.routeOptions.url;
    if (pattern === undefined) return; // no such route: the 404 handler answers
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const metadata = routes.get(`${method} ${pattern}`);
    if (metadata === undefined || metadata.public) return;
    if (metadata.worker && workerToken !== undefined) {
      const given = request.headers['x-worker-token'] ?? /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (typeof given === 'string' && sameSecret(given, workerToken)) {
        request.workerToken = true;
        return;
      }
    }
    const authentication = await authenticator.authenticate(request.headers);
    if (!authentication.ok) {
      return void (await reply.code(401).header('www-authenticate', challenge).send({ message: authentication.reason, code: 'unauthorized' }));
    }
    const { principal } = authentication;
    if (metadata.worker && !principal.admin && !principal.roles.includes(WORKER_ROLE)) {
      return void (await reply.code(403).send({ message: 'the worker protocol needs the worker token, or a user with the admin or worker role', code: 'forbidden' }));
    }
    if (metadata.admin && !principal.admin) {
      return void (await reply.code(403).send({ message: 'this needs the admin role', code: 'forbidden' }));
    }
    request.principal = principal;
  };
}
