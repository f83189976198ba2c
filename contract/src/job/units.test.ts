import { describe, expect, it } from 'vitest';
import { parseMemoryBytes, parseNanoCpus } from './units.ts';

describe('parseMemoryBytes (binary units, like Docker)', () => {
  it.each([
    ['10m', 10_485_760],
    ['10MB', 10_485_760],
    ['500KB', 512_000],
    ['1B', 1],
    ['512', 512],
    ['2g', 2_147_483_648],
    ['1.5g', 1_610_612_736],
    ['256Mi', 268_435_456],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseMemoryBytes(text)).toEqual({ ok: true, value: bytes });
  });

  it.each(['', 'lots', '10x', '-5m', '0m'])('rejects %j', (text) => {
    expect(parseMemoryBytes(text).ok).toBe(false);
  });
});

describe('parseNanoCpus', () => {
  it.each([
    ['.5', 500_000_000n],
    ['0.5', 500_000_000n],
    ['2', 2_000_000_000n],
    ['1.000000001', 1_000_000_001n],
  ])('%s CPUs', (text, nanos) => {
    expect(parseNanoCpus(text)).toEqual({ ok: true, value: nanos });
  });

  it('rejects more than nine decimals as too precise', () => {
    const result = parseNanoCpus('0.0000000001');
    expect(!result.ok && result.error).toContain('too precise');
  });

  it.each(['', 'half', '0', '-1', '1.2.3'])('rejects %j', (text) => {
    expect(parseNanoCpus(text).ok).toBe(false);
  });
});
