import { describe, expect, it } from 'vitest';
import { prettyLine } from './serve.ts';

describe('pretty logs', () => {
  it('print time, level, message and fields on one line', () => {
    const line = prettyLine(JSON.stringify({ level: 30, time: Date.UTC(2026, 10, 22, 10, 15, 30, 123), service: 'twerk', msg: 'twerk started', mode: 'standalone', port: 8000 }));
    expect(line).toBe('10:15:30.123 INFO  twerk started mode=standalone port=8000');
  });

  it('pass through what is not JSON', () => {
    expect(prettyLine('plain')).toBe('plain');
  });
});
