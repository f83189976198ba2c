import { describe, expect, it } from 'vitest';
import { contractError, formatPath } from './errors.ts';

describe('formatPath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(formatPath(['tasks', 2, 'each', 'list'])).toBe('tasks[2].each.list');
  });
  it('quotes keys that are not plain identifiers', () => {
    expect(formatPath(['env', 'a.b'])).toBe('env["a.b"]');
    expect(formatPath(['states', 'Build Step', 'next'])).toBe('states["Build Step"].next');
  });
  it('renders the document root as an empty path', () => {
    expect(formatPath([])).toBe('');
  });
});

describe('contractError', () => {
  it('leads with the first problem and counts the rest', () => {
    const error = contractError([
      { path: 'name', message: 'is required' },
      { path: 'tasks', message: 'must not be empty' },
    ]);
    expect(error.message).toBe('name: is required (and 1 more)');
    expect(error.errors).toHaveLength(2);
  });
});
