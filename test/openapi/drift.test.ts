import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApi } from '@twerk/contract';
import { describe, expect, it } from 'vitest';

describe('openapi/openapi.json', () => {
  it('is what the contract generates (run `npm run openapi` after changing the contract)', () => {
    const committed = readFileSync(join(import.meta.dirname, '..', '..', 'openapi', 'openapi.json'), 'utf8');
    expect(committed).toBe(`${JSON.stringify(generateOpenApi(), null, 2)}\n`);
  });
});
