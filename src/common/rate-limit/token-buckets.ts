/**
 * Token buckets by key (a bearer token's digest, a client address): each key may spend `ratePerSecond` requests
 * a second on average and `burst` at once. Bounded: past `maxKeys` the least recently used key is forgotten (a
 * forgotten key starts again with a full bucket, which only errs toward letting a request through).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly burst: number;

  constructor(
    private readonly ratePerSecond: number,
    burst?: number,
    private readonly maxKeys = 100_000,
  ) {
    this.burst = burst ?? ratePerSecond * 2;
  }

  /** 0 when the request may go; else the seconds after which one would (at least 1). */
  take(key: string, now = Date.now()): number {
    if (this.ratePerSecond <= 0) return 0;
    const bucket = this.buckets.get(key);
    let tokens = this.burst;
    if (bucket !== undefined) {
      this.buckets.delete(key);
      tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond);
    }
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    this.buckets.set(key, { tokens, at: now });
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
    return allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.ratePerSecond));
  }

  get size(): number {
    return this.buckets.size;
  }
}
