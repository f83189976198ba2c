/**
 * How webhooks are delivered (`webhooks.*` in the configuration), and the retry policy that follows
 * from it: pure, so the policy is tested without a receiver.
 */
export interface WebhookSettings {
  /** One attempt's limit, connection to last byte (`webhooks.timeout`). */
  readonly timeoutMs: number;
  /** Attempts in all, the first included, before a delivery is given up (`webhooks.attempts`). */
  readonly attempts: number;
  /** The wait after the first failed attempt, doubled after each one after it, up to the max (`webhooks.backoff.*`). */
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** Requests in flight at once, per process (`webhooks.concurrency`). */
  readonly concurrency: number;
  /** How long delivered and failed deliveries are kept for inspection (`webhooks.retention`); null keeps them. */
  readonly retentionMs: number | null;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  timeoutMs: 5_000,
  attempts: 10,
  backoffInitialMs: 1_000,
  backoffMaxMs: 5 * 60_000,
  concurrency: 16,
  retentionMs: 24 * 60 * 60_000,
};

/**
 * The wait before the attempt after `attempt` (1 for the first) failed: exponential, capped, with
 * "equal jitter" — half of it fixed, half random — so receivers coming back are not hit by every
 * delivery at the same instant, and no wait is shorter than half the schedule. A receiver's
 * `Retry-After` is honoured up to the cap.
 */
export function backoffMs(attempt: number, settings: Pick<WebhookSettings, 'backoffInitialMs' | 'backoffMaxMs'>, random: () => number = Math.random, retryAfterMs?: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 40);
  const base = Math.min(settings.backoffMaxMs, settings.backoffInitialMs * 2 ** exponent);
  const jittered = base / 2 + random() * (base / 2);
  const wanted = retryAfterMs !== undefined && retryAfterMs > jittered ? retryAfterMs : jittered;
  return Math.round(Math.min(wanted, settings.backoffMaxMs));
}

/** What one attempt's answer means for the delivery. */
export type AttemptVerdict = 'delivered' | 'retry' | 'give-up';

/**
 * 2xx is delivered. A timeout (408), throttling (429) and the receiver's own failures (5xx) are worth
 * another try; any other answer (a 400, a 404, a redirect, which is not followed) will not change by trying again.
 */
export function verdictOf(status: number): AttemptVerdict {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || (status >= 500 && status < 600)) return 'retry';
  return 'give-up';
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from `now`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
