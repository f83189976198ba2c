import { describe, expect, it } from 'vitest';
import { backoffMs, retryAfterMs, verdictOf } from './settings.ts';

const policy = { backoffInitialMs: 1_000, backoffMaxMs: 300_000 };

describe('the retry policy', () => {
  it('doubles the wait after each failed attempt, with half of it jittered, up to the max', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffMs(attempt, policy, () => 0))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((attempt) => backoffMs(attempt, policy, () => 0.999999))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffMs(30, policy, () => 0.5)).toBe(225_000);
    expect(backoffMs(1_000, policy, () => 1)).toBe(300_000);
    for (let attempt = 1; attempt <= 12; attempt += 1) {
      const wait = backoffMs(attempt, policy);
      expect(wait).toBeGreaterThanOrEqual(Math.min(300_000, 1_000 * 2 ** (attempt - 1)) / 2);
      expect(wait).toBeLessThanOrEqual(300_000);
    }
  });

  it("waits at least as long as the receiver's Retry-After, within the max", () => {
    expect(backoffMs(1, policy, () => 0, 30_000)).toBe(30_000);
    expect(backoffMs(1, policy, () => 0, 10_000_000)).toBe(300_000);
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs(new Date(Date.UTC(2026, 0, 1, 0, 1)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(60_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('retries on 408, 429 and 5xx, delivers on 2xx, gives up on the rest', () => {
    expect([200, 201, 204].map(verdictOf)).toEqual(['delivered', 'delivered', 'delivered']);
    expect([408, 429, 500, 502, 503, 504, 599].map(verdictOf)).toEqual(Array(7).fill('retry'));
    expect([301, 302, 400, 401, 403, 404, 410, 422].map(verdictOf)).toEqual(Array(8).fill('give-up'));
  });
});
