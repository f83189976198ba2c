import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const examplesDir = join(import.meta.dirname, '..', '..', 'examples');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? yamlFiles(join(dir, entry.name)) : entry.name.endsWith('.yaml') ? [join(dir, entry.name)] : [],
  );
}

describe('the examples folder', () => {
  const files = yamlFiles(examplesDir);

  it('holds the Twerk examples and the seed documents', () => {
    expect(files.length).toBeGreaterThanOrEqual(43);
  });

  it.each(files.map((file) => [file.slice(examplesDir.length + 1), file]))('%s is a YAML mapping', (_name, file) => {
    const document: unknown = parse(readFileSync(file, 'utf8'));
    expect(document).toBeTypeOf('object');
    expect(Array.isArray(document)).toBe(false);
  });
});
