/**
 * The one zod instance of the contract. Every schema module imports `z` from here, so zod is extended
 * with `.openapi()` before any schema is created, and recursive schemas can be documented.
 */
import { extendZodWithOpenApi, type ZodOpenAPIMetadata } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };

/**
 * Marker left in generated OpenAPI where a schema refers back to a named component. zod-to-openapi
 * 7.3 cannot describe `z.lazy` (recursive task trees need it), so the generator replaces every schema
 * carrying this key with `{ $ref: '#/components/schemas/<name>' }`.
 */
export const OPENAPI_REF_MARKER = 'x-twerk-ref';

/** A recursive reference to the component `name` (which must be registered with `.openapi(name)`). */
export function lazyRef<T>(name: string, get: () => z.ZodType<T>): z.ZodType<T> {
  const metadata = { type: 'object', [OPENAPI_REF_MARKER]: name } as ZodOpenAPIMetadata;
  return z.lazy(get).openapi(metadata);
}
