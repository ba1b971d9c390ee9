/**
 * Token digest -> what it authenticates as, or null for a token that authenticates as nothing. Both are kept:
 * without the negative entries, every request with an unknown token would cost a database lookup, and a client
 * looping on made-up tokens could keep the database busy. Bounded: past `maxEntries` the least recently used
 * entry goes, so made-up tokens cannot grow the memory either.
 *
 * A negative entry never hides a token made later: tokens are 32 random bytes, so nobody presents one before it
 * exists. A revocation evicts its positive entries on this instance (evictWhere); other instances drop them when
 * they expire.
 */
export class TokenCache<T> {
  private readonly entries = new Map<string, { value: T | null; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** undefined: not cached (look it up); null: known to authenticate as nothing. */
  get(key: string, now = Date.now()): T | null | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.entries.set(key, entry); // most recently used last
    return entry.value;
  }

  set(key: string, value: T | null, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  evictWhere(test: (value: T) => boolean): void {
    for (const [key, entry] of this.entries) if (entry.value !== null && test(entry.value)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
