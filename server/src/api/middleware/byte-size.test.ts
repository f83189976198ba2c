import { describe, expect, it } from 'vitest';
import { parseByteSize } from './byte-size.ts';

describe('parseByteSize', () => {
  it("reads Tork's sizes: bytes, or B, K, M, G (1024-based, any case)", () => {
    expect(parseByteSize('500K')).toBe(512_000);
    expect(parseByteSize('512k')).toBe(524_288);
    expect(parseByteSize('8M')).toBe(8 * 2 ** 20);
    expect(parseByteSize('1g')).toBe(2 ** 30);
    expect(parseByteSize('1048576')).toBe(1_048_576);
    expect(parseByteSize('100B')).toBe(100);
    expect(parseByteSize('2MB')).toBe(2 * 2 ** 20);
    expect(parseByteSize(' 1K ')).toBe(1024);
  });

  it('refuses anything else, and zero', () => {
    for (const text of ['', 'K', '-1K', '1.5M', '1T', '12 parsecs', '0', '0K', 'M8', '1KiB']) expect(parseByteSize(text), text).toBeUndefined();
  });
});
