import { describe, expect, it } from 'vitest';
import { parsePath, readPath, writePath } from './json-path.ts';

const store = {
  book: [
    { title: 'A', price: 8, tags: ['x'] },
    { title: 'B', price: 12 },
    { title: 'C', price: 5, isbn: '1-2' },
  ],
  'odd key': { 'with.dot': 1 },
  count: 3,
};
const scope = { input: store, context: { State: { Name: 'S' } }, variables: new Map<string, unknown>([['limit', 10]]) };
const read = (path: string) => readPath(path, scope);

describe('JSONPath', () => {
  it.each([
    ['$', store],
    ['$.count', 3],
    ['$.book[1].title', 'B'],
    ['$.book[-1].title', 'C'],
    ["$['odd key']['with.dot']", 1],
    ['$$.State.Name', 'S'],
    ['$limit', 10],
  ])('reads the one value %s names', (path, value) => {
    expect(read(path)).toEqual({ found: true, value });
  });

  it.each([
    ['$.book[*].title', ['A', 'B', 'C']],
    ['$.book.*.price', [8, 12, 5]],
    ['$..title', ['A', 'B', 'C']],
    ['$.book[0,2].title', ['A', 'C']],
    ['$.book[1:].title', ['B', 'C']],
    ['$.book[::-1].title', ['C', 'B', 'A']],
    ['$.book[?(@.price < 10)].title', ['A', 'C']],
    ["$.book[?(@.price > 6 && @.title != 'B')].title", ['A']],
    ['$.book[?(@.isbn)].title', ['C']],
    ['$.nothing[*]', []],
  ])('selects every match of the query %s', (path, values) => {
    expect(read(path)).toEqual({ found: true, value: values });
  });

  it('tells a missing value from a present null', () => {
    expect(read('$.missing')).toEqual({ found: false });
    expect(readPath('$.a', { ...scope, input: { a: null } })).toEqual({ found: true, value: null });
  });

  it('refuses what is not a path, with the position', () => {
    expect(parsePath('book.title')).toBe('"book.title" is not a valid JSONPath: a path starts with "$" at position 1');
    expect(parsePath('$.book[')).toMatch(/is not a valid JSONPath: expected a number/);
    expect(() => read('$undefinedVariable')).toThrow('the variable $undefinedVariable is not defined');
  });

  it('writes at a reference path, creating objects on the way, without touching the input', () => {
    const input = { a: { b: 1 }, list: [1, 2] };
    expect(writePath('$.a.c.d', input, 'x')).toEqual({ ok: true, value: { a: { b: 1, c: { d: 'x' } }, list: [1, 2] } });
    expect(writePath('$.list[1]', input, 'y')).toEqual({ ok: true, value: { a: { b: 1 }, list: [1, 'y'] } });
    expect(input).toEqual({ a: { b: 1 }, list: [1, 2] });
    expect(writePath('$', input, 5)).toEqual({ ok: true, value: 5 });
  });

  it('refuses to write through a value that cannot hold one, or at a query', () => {
    expect(writePath('$.a.b.c', { a: { b: 'text' } }, 1)).toEqual({ ok: false, error: 'ResultPath "$.a.b.c" cannot be applied to the input: "c" cannot be set on "text"' });
    expect(writePath('$.r', 'hello', 1)).toMatchObject({ ok: false });
    expect(writePath('$.list[5]', { list: [] }, 1)).toMatchObject({ ok: false });
    expect(writePath('$.book[*]', {}, 1)).toMatchObject({ ok: false, error: expect.stringContaining('not a reference path') });
  });
});
