/**
 * Writes generated/schema.d.ts from openapi/openapi.json with openapi-typescript (run after
 * `npm run openapi`): `node test/openapi-agreement/generate.ts`. A test fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { generateSchemaSource, SCHEMA_PATH } from './schema-source.ts';

writeFileSync(SCHEMA_PATH, await generateSchemaSource());
console.log(`wrote ${SCHEMA_PATH}`);
