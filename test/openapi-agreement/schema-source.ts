/**
 * The TypeScript source openapi-typescript writes for openapi/openapi.json, produced by its Node API so
 * the committed generated/schema.d.ts can be compared with a fresh generation in a test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

export const SPEC_PATH = join(import.meta.dirname, '..', '..', 'openapi', 'openapi.json');
export const SCHEMA_PATH = join(import.meta.dirname, 'generated', 'schema.d.ts');
/** The same as `openapi-typescript openapi/openapi.json --default-non-nullable false -o test/openapi-agreement/generated/schema.d.ts`. */
export const REGENERATE_COMMAND = 'node test/openapi-agreement/generate.ts';

/**
 * `defaultNonNullable: false`: the only schemas with a `default` are request bodies (ClaimRequest's
 * lease_ttl_secs and wait_secs, CompleteRequest.outputs, FailRequest.retryable), which a client may
 * leave out; openapi-typescript's default would make them required, so seed 004's claim body (no
 * wait_secs) would not compile.
 */
export const OPTIONS = { silent: true, defaultNonNullable: false } as const;

export async function generateSchemaSource(spec: string = readFileSync(SPEC_PATH, 'utf8')): Promise<string> {
  const ast = await openapiTS(JSON.parse(spec) as Parameters<typeof openapiTS>[0], OPTIONS);
  return `${COMMENT_HEADER}${astToString(ast)}`;
}
