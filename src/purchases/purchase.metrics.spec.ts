import { Registry } from 'prom-client';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { PurchaseMetrics } from './purchase.metrics';

async function values(registry: Registry, name: string): Promise<Record<string, number>> {
  const { values } = await registry.getSingleMetric(name)!.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.outcome), v.value]));
}

describe('PurchaseMetrics', () => {
  it('counts purchases by outcome and credits only what recorded purchases earned', async () => {
    const registry = new Registry();
    const m = new PurchaseMetrics(registry);
    expect(await values(registry, 'loyalty_purchases_total')).toEqual({ recorded: 0, replayed: 0 });
    m.succeeded(false, 15n);
    m.succeeded(false, 0n);
    m.succeeded(true, 15n);
    m.failed(new DomainError(ErrorCode.CUSTOMER_NOT_FOUND, 'x'));
    m.failed(Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }));
    expect(await values(registry, 'loyalty_purchases_total')).toEqual({
      recorded: 2,
      replayed: 1,
      CUSTOMER_NOT_FOUND: 1,
      SERVICE_UNAVAILABLE: 1,
    });
    expect((await registry.getSingleMetric('loyalty_points_credited_total')!.get()).values[0].value).toBe(15);
  });

  it('shows the watched batcher at scrape time, 0 before there is one, and the batch sizes it was told', async () => {
    const registry = new Registry();
    const m = new PurchaseMetrics(registry);
    const gauge = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0].value;
    expect([await gauge('loyalty_purchase_queue_depth'), await gauge('loyalty_purchase_batches_in_flight')]).toEqual([0, 0]);
    const batcher = { queued: 7, running: 2 };
    m.watch(batcher);
    expect([await gauge('loyalty_purchase_queue_depth'), await gauge('loyalty_purchase_batches_in_flight')]).toEqual([7, 2]);
    batcher.queued = 0;
    expect(await gauge('loyalty_purchase_queue_depth')).toBe(0);
    [1, 3, 64].forEach(m.batchSent);
    const text = await registry.getSingleMetricAsString('loyalty_purchase_batch_size');
    expect(text).toContain('loyalty_purchase_batch_size_bucket{le="2"} 1');
    expect(text).toContain('loyalty_purchase_batch_size_bucket{le="4"} 2');
    expect(text).toContain('loyalty_purchase_batch_size_bucket{le="64"} 3');
    expect(text).toContain('loyalty_purchase_batch_size_sum 68');
    expect(text).toContain('loyalty_purchase_batch_size_count 3');
  });
});
