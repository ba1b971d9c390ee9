import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { errorOutcome } from '../metrics/outcomes';
import { SeriesCache } from '../metrics/series-cache';

/** What the purchase path's micro-batcher shows at scrape time. */
export interface BatcherState {
  readonly queued: number;
  readonly running: number;
}

/**
 * The purchase path's metrics. Each purchase costs one counter increment (two when it credits points), on a
 * child made once per outcome; the batch histogram is fed once per batch, and the queue's gauges are read only
 * when /metrics is scraped.
 */
@Injectable()
export class PurchaseMetrics {
  private readonly purchases: SeriesCache<Counter.Internal>;
  private readonly recorded: Counter.Internal;
  private readonly replayed: Counter.Internal;
  private readonly credited: Counter;
  private readonly batchSize: Histogram;
  private batcher: BatcherState | null = null;

  constructor(registry: Registry) {
    const purchases = new Counter({
      name: 'loyalty_purchases_total',
      help: 'Purchases that reached the service, by outcome: recorded, replayed, or the error code they were refused with.',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.purchases = new SeriesCache((outcome) => purchases.labels(outcome));
    this.recorded = this.purchases.get('recorded');
    this.replayed = this.purchases.get('replayed');
    this.recorded.inc(0);
    this.replayed.inc(0);
    this.credited = new Counter({
      name: 'loyalty_points_credited_total',
      help: 'Points credited to customers by recorded purchases (a replay credits nothing).',
      registers: [registry],
    });
    this.batchSize = new Histogram({
      name: 'loyalty_purchase_batch_size',
      help: 'Purchases per batch sent to the database (one record_purchases() call, one database transaction).',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000],
      registers: [registry],
    });
    const state = () => this.batcher;
    new Gauge({
      name: 'loyalty_purchase_queue_depth',
      help: 'Purchases waiting for a batch slot (PURCHASE_CONCURRENCY batches running) or for the end of the event-loop round.',
      registers: [registry],
      collect() {
        this.set(state()?.queued ?? 0);
      },
    });
    new Gauge({
      name: 'loyalty_purchase_batches_in_flight',
      help: 'Purchase batches sent to the database and not yet answered (at most PURCHASE_CONCURRENCY).',
      registers: [registry],
      collect() {
        this.set(state()?.running ?? 0);
      },
    });
  }

  /** The batcher whose queue the gauges show (the purchases repository's). */
  watch(batcher: BatcherState): void {
    this.batcher = batcher;
  }

  /** Fed by the batcher as each batch leaves. */
  readonly batchSent = (size: number): void => this.batchSize.observe(size);

  /** A purchase answered with a result: `points` is what it credited (a replay's are the original's: not counted). */
  succeeded(replayed: boolean, points: bigint): void {
    if (replayed) {
      this.replayed.inc();
      return;
    }
    this.recorded.inc();
    // A double counts integers exactly up to 2^53 points in all, more than any program issues.
    if (points > 0n) this.credited.inc(Number(points));
  }

  /** A purchase refused or failed: counted under the code its client is answered with. */
  failed(error: unknown): void {
    this.purchases.get(errorOutcome(error)).inc();
  }
}
