/**
 * Building blocks of Tork's wire format (research/tork.md §1, §4; DESIGN "Wire format"): camelCase,
 * RFC 3339 timestamps, empty fields omitted, `Page {items, number, size, totalPages, totalItems}`,
 * errors `{message}` plus our `errors: [{path, message}]`.
 */
import { z } from '../zod.ts';

export const timestamp = z.string().datetime({ offset: true }).openapi({ format: 'date-time', example: '2026-11-22T10:15:30.123456Z' });
export const identifier = z.string().min(1).max(1000).openapi({ example: 'c8a4b8a1e2f94d1f9a7f3d1b2c3d4e5f' });
export const stringRecord = z.record(z.string(), z.string());

export const fieldErrorSchema = z.object({ path: z.string(), message: z.string() }).openapi('FieldError', {
  description: 'One problem, with the path of the field in the submitted document ("" for the document as a whole).',
  example: { path: 'tasks[0].retry.limit', message: 'must be at most 10' },
});

export const errorBodySchema = z
  .object({
    message: z.string(),
    errors: z.array(fieldErrorSchema).optional(),
    code: z.string().optional().describe('A machine-readable kind, e.g. unsupported_media_type, duplicate_key, too_deep.'),
    error: z.string().optional().describe("Trigger routes: Twerk's error kind (ValidationFailed, IdMismatch, TriggerNotFound, VersionConflict, …)."),
  })
  .openapi('ErrorBody', {
    description: "Every error response: Tork's {message}, plus each problem with its field path.",
    example: { message: 'tasks[0].retry.limit: must be at most 10', errors: [{ path: 'tasks[0].retry.limit', message: 'must be at most 10' }] },
  });

export const statusOkSchema = z.object({ status: z.literal('OK') }).openapi('StatusResponse', { example: { status: 'OK' } });

/** `Page<T>`, as Tork pages lists: `size` is the number of items actually returned. */
export function pageSchema<T extends z.ZodTypeAny>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      number: z.number().int().min(1),
      size: z.number().int().min(0),
      totalPages: z.number().int().min(0),
      totalItems: z.number().int().min(0),
    })
    .openapi(name, { description: `A page of ${name.replace(/^Page/, '')} items.` });
}
