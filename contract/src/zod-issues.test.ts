import { describe, expect, it } from 'vitest';
import { issuesToFieldErrors, knownKeysAt } from './zod-issues.ts';
import { lazyRef, z } from './zod.ts';

interface Node {
  name: string;
  children?: Node[];
}
const node: z.ZodType<Node> = z
  .object({ name: z.string(), children: z.array(lazyRef<Node>('Node', () => node)).optional() })
  .strict()
  .superRefine(() => undefined);
const tree = z.object({ root: node, tags: z.record(z.string(), z.object({ colour: z.string() }).strict()).optional() }).strict();

function errors(value: unknown) {
  const parsed = tree.safeParse(value);
  return parsed.success ? [] : issuesToFieldErrors(parsed.error.issues, tree);
}

describe('issuesToFieldErrors', () => {
  it('reports each unknown key at its own path', () => {
    expect(errors({ root: { name: 'a', extra: 1, other: 2 } })).toEqual([
      { path: 'root.extra', message: 'is not a known field' },
      { path: 'root.other', message: 'is not a known field' },
    ]);
  });

  it('suggests the known key a misspelt one was probably meant to be, through recursion and records', () => {
    expect(errors({ root: { name: 'a', children: [{ name: 'b', childern: [] }] } })).toEqual([
      { path: 'root.children[0].childern', message: 'is not a known field (did you mean "children"?)' },
    ]);
    expect(errors({ root: { name: 'a' }, tags: { x: { color: 'red' } } })).toContainEqual({
      path: 'tags.x.color',
      message: 'is not a known field (did you mean "colour"?)',
    });
  });

  it('words type problems after the path', () => {
    expect(errors({ root: { name: 5 } })).toEqual([{ path: 'root.name', message: 'must be a string, not a number' }]);
    expect(errors({ root: {} })).toEqual([{ path: 'root.name', message: 'is required' }]);
    expect(errors({ root: { name: 'a', children: {} } })).toEqual([{ path: 'root.children', message: 'must be a list, not a mapping' }]);
  });
});

describe('knownKeysAt', () => {
  it('finds the keys of the object schema at a path', () => {
    expect(knownKeysAt(tree, ['root', 'children', 3]).sort()).toEqual(['children', 'name']);
    expect(knownKeysAt(tree, ['nowhere'])).toEqual([]);
  });
});
