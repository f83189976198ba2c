/** Users, roles and API keys (research/tork.md §1.12; twerk.md §5.6 rules, with real conflicts). */
import { z } from '../zod.ts';
import { identifier, timestamp } from './common.ts';

export const createUserSchema = z
  .object({
    username: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{2,63}$/, 'must be 3–64 characters: a letter, then letters, digits, "_" or "-"'),
    password: z.string().min(8, 'must be at least 8 characters').max(1024),
    name: z.string().max(256).optional(),
    roles: z.array(z.string()).optional().describe('Role slugs to grant.'),
  })
  .strict()
  .openapi('CreateUser', { example: { username: 'ada', password: 'correct horse battery', name: 'Ada Lovelace' } });

export const createRoleSchema = z
  .object({ slug: z.string().regex(/^[a-z][a-z0-9-]{1,63}$/, 'must be 2–64 characters: lowercase letters, digits and "-"'), name: z.string().min(1).max(256) })
  .strict()
  .openapi('CreateRole', { example: { slug: 'ops', name: 'Operations' } });

export const apiKeySchema = z
  .object({ id: identifier, name: z.string(), username: z.string().optional(), createdAt: timestamp, lastUsedAt: timestamp.optional(), expiresAt: timestamp.optional() })
  .openapi('ApiKey', { description: 'An API key, without its secret.', example: { id: 'k1', name: 'ci', createdAt: '2026-11-22T10:00:00Z' } });

export const createApiKeySchema = z
  .object({ name: z.string().min(1).max(128), expiresAt: timestamp.optional() })
  .strict()
  .openapi('CreateApiKey', { example: { name: 'ci' } });

export const createdApiKeySchema = apiKeySchema
  .extend({ key: z.string().describe('The secret: shown only in this response. Send it as "Authorization: Bearer <key>".') })
  .openapi('CreatedApiKey', { example: { id: 'k1', name: 'ci', createdAt: '2026-11-22T10:00:00Z', key: 'twk_3f9c…' } });
