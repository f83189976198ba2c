import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSchemaSource, REGENERATE_COMMAND, SCHEMA_PATH } from './schema-source.ts';

describe('generated/schema.d.ts', () => {
  it(`is what openapi-typescript generates from openapi/openapi.json (run \`${REGENERATE_COMMAND}\` after \`npm run openapi\`)`, async () => {
    const committed = readFileSync(SCHEMA_PATH, 'utf8');
    expect(committed, `generated/schema.d.ts is stale: run \`${REGENERATE_COMMAND}\` from the repository root`).toBe(await generateSchemaSource());
  });
});
