/**
 * OpenAPI 3.1 from the contract: every route of `contract` becomes an operation (path, parameters,
 * request body, every response) whose schemas come from the same zod definitions the server validates
 * with. Deterministic, so the committed openapi/openapi.json can be checked for drift.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { AppRoute, AppRouter } from '@ts-rest/core';
import { contract } from '../api/index.ts';
import type { RouteMetadata } from '../api/index.ts';
import { SUPPORTED_MEDIA_TYPES } from '../document/index.ts';
import { OPENAPI_REF_MARKER, type z } from '../zod.ts';

export const API_VERSION = '0.1.0';

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK', 201: 'Created', 204: 'No content', 400: 'The request is invalid: see message and errors[].path', 401: 'Missing or invalid credentials',
  403: 'Not allowed for this caller', 404: 'Not found', 408: 'Timed out waiting for the job', 409: 'Conflict with the current state',
  410: 'Gone', 413: 'The body is larger than 512 KiB', 415: 'Unsupported content type', 429: 'Too many requests', 503: 'Unavailable',
};

const TAGS = [
  { name: 'jobs', description: 'Submit, inspect, cancel and restart jobs.' },
  { name: 'tasks', description: 'Task records and their logs.' },
  { name: 'scheduled-jobs', description: 'Jobs that run on a cron schedule.' },
  { name: 'machines', description: 'Amazon States Language state machines, executed as jobs.' },
  { name: 'triggers', description: 'Rules that start jobs on events, webhooks or by hand.' },
  { name: 'access', description: 'Users, roles and API keys.' },
  { name: 'system', description: 'Health, metrics, nodes and queues.' },
  { name: 'workers', description: 'The HTTP worker protocol: any language can run jobs.' },
];

function isRoute(value: AppRoute | AppRouter): value is AppRoute {
  return typeof (value as AppRoute).method === 'string' && typeof (value as AppRoute).path === 'string';
}

/** Every route with its dotted key (`jobs.submit`), in contract order. */
export function contractRoutes(router: AppRouter = contract, prefix = ''): { key: string; route: AppRoute }[] {
  return Object.entries(router).flatMap(([name, value]) => {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    return isRoute(value) ? [{ key, route: value }] : contractRoutes(value, key);
  });
}

export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function isZod(value: unknown): value is z.ZodTypeAny {
  return typeof value === 'object' && value !== null && '_def' in value;
}

function operation(key: string, route: AppRoute): RouteConfig {
  const metadata = (route.metadata ?? {}) as Partial<RouteMetadata>;
  const request: NonNullable<RouteConfig['request']> = {};
  if (isZod(route.pathParams)) request.params = route.pathParams as z.AnyZodObject;
  if (isZod(route.query)) request.query = route.query as z.AnyZodObject;
  if ('body' in route && isZod(route.body)) {
    const mediaTypes = metadata.documentBody ? SUPPORTED_MEDIA_TYPES : ['application/json'];
    request.body = { required: true, content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: route.body as z.ZodTypeAny }])) };
  }
  const responses: RouteConfig['responses'] = {};
  for (const [status, schema] of Object.entries(route.responses)) {
    const description = STATUS_TEXT[Number(status)] ?? 'Response';
    const alternatives = status === '200' ? Object.fromEntries(Object.entries(metadata.alternatives ?? {}).map(([type, alternative]) => [type, { schema: alternative }])) : {};
    responses[status] = isZod(schema) ? { description, content: { 'application/json': { schema }, ...alternatives } } : { description };
  }
  const security: Record<string, string[]>[] | undefined = metadata.public ? [] : metadata.worker ? [{ workerToken: [] }, { bearerAuth: [] }, {}] : undefined;
  return {
    method: route.method.toLowerCase() as RouteConfig['method'],
    path: openApiPath(route.path),
    operationId: key.replace(/\.(\w)/g, (_match, char: string) => char.toUpperCase()),
    tags: metadata.tag ? [metadata.tag] : [],
    ...(route.summary ? { summary: route.summary } : {}),
    ...(route.description ? { description: route.description } : {}),
    ...(security ? { security } : {}),
    request,
    responses,
  };
}

/** Replaces the markers `lazyRef` leaves (zod-to-openapi cannot walk z.lazy) with real `$ref`s. */
function resolveRefMarkers(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(resolveRefMarkers);
  if (node === null || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  const target = record[OPENAPI_REF_MARKER];
  if (typeof target === 'string') return { $ref: `#/components/schemas/${target}` };
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, resolveRefMarkers(value)]));
}

export function generateOpenApi(): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (POST /keys) as "Authorization: Bearer <key>". Not needed when the server runs without auth.',
  });
  registry.registerComponent('securitySchemes', 'workerToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The worker token configured on the server, for the worker protocol. Worker routes are open when no auth is configured.',
  });
  for (const { key, route } of contractRoutes()) registry.registerPath(operation(key, route));
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Twerk API',
      version: API_VERSION,
      description: 'Twerk runs jobs — tasks in sequence, in parallel, in loops and as sub-jobs — on workers, and Amazon States Language state machines. Wire-compatible with Tork: camelCase JSON, RFC 3339 times, errors as {message, errors[{path, message}]}. Document bodies are accepted as JSON or YAML.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'The server this document was read from (GET /openapi.json)' }],
    tags: TAGS,
    security: [{ bearerAuth: [] }, {}],
  });
  return resolveRefMarkers(document) as Record<string, unknown>;
}
