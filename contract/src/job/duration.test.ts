import { describe, expect, it } from 'vitest';
import { parseGoDuration } from './duration.ts';

const SECOND = 1_000_000_000n;

describe('parseGoDuration', () => {
  it.each([
    ['5s', 5n * SECOND],
    ['120s', 120n * SECOND],
    ['1h30m', 5400n * SECOND],
    ['1.5h', 5400n * SECOND],
    ['100ms', 100_000_000n],
    ['2us', 2000n],
    ['2µs', 2000n],
    ['.5s', 500_000_000n],
    ['0', 0n],
    ['-1m', -60n * SECOND],
    ['1h2m3s4ms5us6ns', 3723n * SECOND + 4_005_006n],
  ])('reads %s like Go', (text, nanos) => {
    expect(parseGoDuration(text)).toEqual({ ok: true, value: nanos });
  });

  it('asks for a unit when a bare number is given', () => {
    const result = parseGoDuration('1234');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain('missing a unit');
  });

  it.each(['', 's', '1d', '1 h', '1.h.5', 'abc', '+', '.s'])('rejects %j', (text) => {
    expect(parseGoDuration(text).ok).toBe(false);
  });

  it('rejects durations beyond what Go can hold', () => {
    expect(parseGoDuration('2562048h').ok).toBe(false);
    expect(parseGoDuration('2562047h').ok).toBe(true);
  });
});
