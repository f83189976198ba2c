/** The README's document examples are real: every YAML block in it is a valid job or state machine. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEnvironment, evaluateTemplate, parseDocument } from '@twerk/contract';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);

describe('README examples', () => {
  it('has YAML examples', () => {
    expect(yamlBlocks.length).toBeGreaterThanOrEqual(2);
  });

  it.each(yamlBlocks.map((block, index) => [index, block]))('YAML block %i is a valid document', (_index, block) => {
    const result = parseDocument(block, 'text/yaml');
    expect(result.ok ? [] : result.error.errors).toEqual([]);
  });

  it('evaluates the template shown in the TypeScript example', () => {
    expect(evaluateTemplate('answer: {{ int(inputs.n) + 1 }}', createEnvironment({ inputs: { n: '41' } }))).toEqual({ ok: true, value: 'answer: 42' });
  });
});
