/** Writes openapi/openapi.json from the contract (`npm run openapi`); a test fails when it drifts. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApi } from '../src/openapi/index.ts';

const target = join(import.meta.dirname, '..', '..', 'openapi', 'openapi.json');
writeFileSync(target, `${JSON.stringify(generateOpenApi(), null, 2)}\n`);
console.log(`wrote ${target}`);
