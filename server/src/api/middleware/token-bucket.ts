/**
 * Token buckets by client, in this process's memory: each client's bucket holds up to `burst` tokens
 * and refills at `rate` tokens a second; a request takes one. Several coordinators each keep their own,
 * so a client spreading requests over N coordinators gets up to N times the rate.
 *
 * Memory is bounded: a bucket idle long enough to be full again is the same as no bucket, so those are
 * swept once the map reaches `maxClients`; if that frees too little, the least recently used go, down to
 * 90% of the bound, so a flood of new clients costs one sweep per tenth of the map rather than one per client.
 */
export interface BucketOptions {
  /** Tokens added per second. */
  readonly rate: number;
  /** Most tokens a bucket holds: the requests a rested client may make at once. */
  readonly burst: number;
  /** Buckets kept before idle ones are evicted. */
  readonly maxClients?: number;
}

export interface Take {
  readonly allowed: boolean;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** When refused: whole seconds (at least 1) until a token is there. */
  readonly retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  readonly #rate: number;
  readonly #burst: number;
  readonly #maxClients: number;
  /** In least-recently-used order: a bucket is re-inserted on every take. */
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: BucketOptions) {
    if (!(options.rate > 0) || !(options.burst >= 1)) throw new Error('a token bucket needs a positive rate and a burst of at least 1');
    this.#rate = options.rate;
    this.#burst = options.burst;
    this.#maxClients = options.maxClients ?? 10_000;
  }

  get size(): number {
    return this.#buckets.size;
  }

  take(client: string, nowMs: number): Take {
    const bucket = this.#buckets.get(client) ?? { tokens: this.#burst, at: nowMs };
    this.#buckets.delete(client);
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (Math.max(0, nowMs - bucket.at) / 1000) * this.#rate);
    bucket.at = nowMs;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    if (this.#buckets.size >= this.#maxClients) this.#evict(nowMs);
    this.#buckets.set(client, bucket);
    const retryAfterSeconds = allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / this.#rate));
    return { allowed, remaining: Math.floor(bucket.tokens), retryAfterSeconds };
  }

  #evict(nowMs: number): void {
    const refillMs = (this.#burst / this.#rate) * 1000;
    for (const [client, bucket] of this.#buckets) {
      if (nowMs - bucket.at >= refillMs) this.#buckets.delete(client);
    }
    const keep = Math.floor(this.#maxClients * 0.9);
    for (const client of this.#buckets.keys()) {
      if (this.#buckets.size <= keep) break;
      this.#buckets.delete(client);
    }
  }
}
