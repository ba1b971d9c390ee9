/**
 * Coalesces concurrent calls into batches (group commit). Calls made while the event loop handles one round of
 * I/O leave together at the end of that round (setImmediate), so an idle service adds no latency and a busy one
 * does not send a batch of one for the first request of a burst. While `maxInFlight` batches are running, new
 * calls queue and leave together, up to `maxBatch` at a time, when a slot frees. Each call gets its own result
 * or its own error.
 */
export type ItemResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface MicroBatcherOptions {
  maxBatch: number;
  maxInFlight: number;
  /**
   * Told the size of each batch as it leaves (metrics). It runs in the drain, outside any caller's promise: it
   * must be cheap and must not throw. It is called once the batch is running, so a throw could not strand it.
   */
  onBatch?: (size: number) => void;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export class MicroBatcher<I, O> {
  private readonly queue: Array<Pending<I, O>> = [];
  private inFlight = 0;
  private drainScheduled = false;

  /** `run` answers every item of a batch, in order; if it throws, every item of that batch gets the error. */
  constructor(
    private readonly run: (items: I[]) => Promise<Array<ItemResult<O>>>,
    private readonly options: MicroBatcherOptions,
  ) {
    if (options.maxBatch < 1 || options.maxInFlight < 1) throw new RangeError('maxBatch and maxInFlight must be >= 1');
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.scheduleDrain();
    });
  }

  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Calls waiting to leave in a batch (all slots busy, or the current round of I/O not over yet). */
  get queued(): number {
    return this.queue.length;
  }

  /** Batches sent and not yet answered: at most `maxInFlight`. */
  get running(): number {
    return this.inFlight;
  }

  /** Sending at the end of the current round of I/O gathers the requests that arrived in it into one batch. */
  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      // Fire and forget: runBatch settles every call of the batch itself and never rejects.
      void this.runBatch(batch).finally(() => {
        this.inFlight--;
        this.scheduleDrain();
      });
      this.options.onBatch?.(batch.length);
    }
  }

  private async runBatch(batch: Array<Pending<I, O>>): Promise<void> {
    let results: Array<ItemResult<O>>;
    try {
      results = await this.run(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`batch answered ${results.length} of ${batch.length} items`);
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    results.forEach((r, i) => (r.ok ? batch[i].resolve(r.value) : batch[i].reject(r.error)));
  }
}
