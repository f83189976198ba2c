import { describe, expect, it } from 'vitest';
import { wildcardMatcher } from './wildcard.ts';

describe('wildcardMatcher', () => {
  it('matches whole subjects, literally but for *', () => {
    const matches = wildcardMatcher(['GET /health', 'GET /jobs/*']);
    expect(matches('GET /health')).toBe(true);
    expect(matches('GET /healthz')).toBe(false);
    expect(matches('POST /health')).toBe(false);
    expect(matches('GET /jobs/abc')).toBe(true);
    expect(matches('GET /jobs/abc/log')).toBe(true);
    expect(matches('GET /jobs')).toBe(false);
  });

  it('treats regular-expression characters as text', () => {
    const matches = wildcardMatcher(['https://*.example.com', 'GET /a.b(c)?']);
    expect(matches('https://app.example.com')).toBe(true);
    expect(matches('https://app.exampleXcom')).toBe(false);
    expect(matches('https://evil.com/.example.com')).toBe(true); // * spans slashes: CORS checks an origin's shape before matching it
    expect(matches('GET /a.b(c)?')).toBe(true);
    expect(matches('GET /aXb(c)')).toBe(false);
  });

  it('matches nothing with no patterns, everything with *', () => {
    expect(wildcardMatcher([])('GET /health')).toBe(false);
    expect(wildcardMatcher(['*'])('anything at all')).toBe(true);
  });
});
