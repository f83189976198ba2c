/** Shared pieces of the route table: the one ts-rest contract builder, error responses, params. */
import { initContract } from '@ts-rest/core';
import { errorBodySchema, identifier } from '../wire/index.ts';
import { z } from '../zod.ts';

export const c = initContract();

export const idParams = z.object({ id: identifier });

type ErrorStatus = 400 | 401 | 403 | 404 | 408 | 409 | 410 | 413 | 415 | 429;

/** Error responses a route can give; every one has the ErrorBody shape. */
export function errors<const S extends readonly ErrorStatus[]>(...statuses: S): { [K in S[number]]: typeof errorBodySchema } {
  return Object.fromEntries(statuses.map((status) => [status, errorBodySchema])) as { [K in S[number]]: typeof errorBodySchema };
}

/** Route metadata the OpenAPI generator reads. */
export interface RouteMetadata {
  readonly tag: string;
  /** The body is a document: accepted as JSON or YAML and read through the document boundary. */
  readonly documentBody?: boolean;
  /** Routes that need no credentials even when auth is on. */
  readonly public?: boolean;
  /** Worker-protocol routes: the worker token (or an API key) when auth is configured. */
  readonly worker?: boolean;
  /** With auth on, only the admin role (or the static key) may call it. */
  readonly admin?: boolean;
  /** Other media types the 200 response comes in (chosen by Accept or a query parameter), beside its JSON. */
  readonly alternatives?: Readonly<Record<string, z.ZodTypeAny>>;
}

export function meta(metadata: RouteMetadata): RouteMetadata {
  return metadata;
}

export const pageQuery = (defaultSize: number, maxSize: number) =>
  z.object({
    page: z.coerce.number().int().min(1).optional().describe('1-based page number (default 1)'),
    size: z.coerce.number().int().min(1).max(maxSize).optional().describe(`Items per page (default ${defaultSize}, at most ${maxSize})`),
    q: z.string().max(1000).optional().describe('Full-text search; `tag:x` and `tags:a,b` filter by tag'),
  });
