import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './token-bucket.ts';

describe('TokenBuckets', () => {
  it('lets a rested client make burst requests at once, then one per 1/rate seconds', () => {
    const buckets = new TokenBuckets({ rate: 2, burst: 3 });
    expect([1, 2, 3].map(() => buckets.take('a', 0))).toEqual([
      { allowed: true, remaining: 2, retryAfterSeconds: 0 },
      { allowed: true, remaining: 1, retryAfterSeconds: 0 },
      { allowed: true, remaining: 0, retryAfterSeconds: 0 },
    ]);
    expect(buckets.take('a', 100)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    expect(buckets.take('a', 500).allowed).toBe(true);
    expect(buckets.take('a', 500).allowed).toBe(false);
    // Refilling never goes past the burst.
    expect(buckets.take('a', 60_000).remaining).toBe(2);
  });

  it('keeps one bucket per client', () => {
    const buckets = new TokenBuckets({ rate: 1, burst: 1 });
    expect(buckets.take('a', 0).allowed).toBe(true);
    expect(buckets.take('a', 0).allowed).toBe(false);
    expect(buckets.take('b', 0).allowed).toBe(true);
  });

  it('says how long to wait in whole seconds, at least 1', () => {
    const slow = new TokenBuckets({ rate: 0.1, burst: 1 });
    slow.take('a', 0);
    expect(slow.take('a', 0).retryAfterSeconds).toBe(10);
    expect(slow.take('a', 7_500).retryAfterSeconds).toBe(3);
    const fast = new TokenBuckets({ rate: 100, burst: 1 });
    fast.take('a', 0);
    expect(fast.take('a', 0).retryAfterSeconds).toBe(1);
  });

  it('holds at most maxClients buckets, dropping rested ones first, then the least recently used', () => {
    const buckets = new TokenBuckets({ rate: 1, burst: 1, maxClients: 10 });
    for (let client = 0; client < 10; client++) buckets.take(`c${client}`, 0);
    expect(buckets.size).toBe(10);
    // At 1 s every bucket is full again: all of them go, the newcomer stays.
    buckets.take('new', 1_000);
    expect(buckets.size).toBe(1);

    for (let client = 0; client < 9; client++) buckets.take(`d${client}`, 1_000);
    buckets.take('new', 1_000); // the most recently used now, and empty
    buckets.take('another', 1_000);
    expect(buckets.size).toBeLessThanOrEqual(10);
    // The drained client kept its (empty) bucket: eviction never hands it a fresh one.
    expect(buckets.take('new', 1_000).allowed).toBe(false);
  });

  it('refuses a rate or burst that could never admit a request', () => {
    expect(() => new TokenBuckets({ rate: 0, burst: 1 })).toThrow();
    expect(() => new TokenBuckets({ rate: 1, burst: 0 })).toThrow();
  });
});
