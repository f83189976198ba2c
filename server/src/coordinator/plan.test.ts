import { describe, expect, it } from 'vitest';
import type { TaskDocument } from '@twerk/contract';
import { mayRetry, progressOf, retryDelayMs, timeoutMs, withDefaults } from './plan.ts';

const task: TaskDocument = { name: 't', image: 'alpine', run: 'true' };

describe('scheduling decisions', () => {
  it('applies job defaults only where the task is silent', () => {
    const merged = withDefaults({ ...task, queue: 'mine' }, { queue: 'default-q', priority: 3, timeout: '10m', retry: { limit: 2 } });
    expect(merged).toMatchObject({ queue: 'mine', priority: 3, timeout: '10m', retry: { limit: 2 } });
    expect(withDefaults(task, undefined)).toBe(task);
  });

  it('backs retries off exponentially up to maxDelay', () => {
    const retry = { limit: 5, initialDelay: '2s', scalingFactor: 3, maxDelay: '1m' };
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(retry, attempt))).toEqual([2_000, 6_000, 18_000, 54_000, 60_000]);
    expect(retryDelayMs({ limit: 1 }, 1)).toBe(1_000);
    expect(retryDelayMs({ limit: 3 }, 3)).toBe(4_000);
  });

  it('allows `limit` retries after the first run', () => {
    expect(mayRetry({ limit: 2 }, 1)).toBe(true);
    expect(mayRetry({ limit: 2 }, 2)).toBe(true);
    expect(mayRetry({ limit: 2 }, 3)).toBe(false);
    expect(mayRetry(undefined, 1)).toBe(false);
  });

  it('reports progress and timeouts', () => {
    expect(progressOf(1, 3)).toBe(33.33);
    expect(progressOf(0, 0)).toBe(100);
    expect(timeoutMs({ ...task, timeout: '1m30s' })).toBe(90_000);
    expect(timeoutMs(task)).toBeUndefined();
  });
});
