/**
 * A read that callers share: while one is running every caller gets that same promise (single flight), and its
 * result, a failure included, is handed out again until `maxAgeMs` after it settled. So any number of concurrent
 * scrapes of /metrics cost one read, and a scraper, or ten, scraping more often than the interval cost none:
 * at most one read starts per interval, and never two at once. With `maxAgeMs` 0 only concurrent callers
 * share (each later caller starts a new read).
 *
 * No framework, no timer: the age is measured with `now` when a caller asks.
 */
export class SharedRead<T> {
  private current: Promise<T> | null = null;
  /** When `current` settled; null while it is running. */
  private settledAt: number | null = null;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(maxAgeMs >= 0)) throw new RangeError('maxAgeMs must be >= 0');
  }

  get(): Promise<T> {
    if (this.current !== null && (this.settledAt === null || this.now() - this.settledAt < this.maxAgeMs)) {
      return this.current;
    }
    this.settledAt = null;
    const started: Promise<T> = Promise.resolve()
      .then(() => this.read())
      .finally(() => {
        if (this.current === started) this.settledAt = this.now();
      });
    this.current = started;
    return started;
  }
}
