import { Pool } from 'pg';
import { PurchasesRepository, PurchaseToRecord } from '../../src/purchases/purchases.repository';
import { Fixtures } from '../support/fixtures';
import { purchaseToRecord } from '../support/purchase-to-record';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * PURCHASE_CONCURRENCY is the most connections the purchase path holds (config.ts keeps it below the pool size
 * so that reads and health checks always find one): also while a batch that failed as a whole is retried one
 * purchase at a time.
 */
describe('retries of a failed purchase batch', () => {
  let t: TestApp;
  let pool: Pool;
  const connections = { inUse: 0, peak: 0 };

  beforeAll(async () => {
    t = await startTestApp({ DB_POOL_SIZE: '20', PURCHASE_CONCURRENCY: '2', PURCHASE_BATCH_SIZE: '32' });
    pool = new Pool({ connectionString: t.db.serviceUrl, max: 20 });
    // t.close() drops the database with force, which may cut a connection this pool is still closing.
    pool.on('error', () => undefined);
    pool.on('acquire', () => (connections.peak = Math.max(connections.peak, ++connections.inUse)));
    pool.on('release', () => connections.inUse--);
  });
  afterAll(async () => {
    await pool.end();
    await t.close();
  });

  it('hold at most PURCHASE_CONCURRENCY connections, and every good purchase is still recorded', async () => {
    const f = new Fixtures(t);
    const retailerId = (await f.retailer()).id;
    const productId = await f.product(1000);
    const customerId = await f.customer();
    const purchase = (transactionId: string, quantity = 1): PurchaseToRecord =>
      purchaseToRecord({ retailerId, customerId, productId, transactionId, quantity });
    const repository = new PurchasesRepository(pool, t.config);
    // A quantity beyond the int range fails the whole statement, so the batch of 32 falls back to 32 retries.
    const batch = [...Array.from({ length: 31 }, (_, i) => purchase(`retry-${i}`)), purchase('too-many', 2 ** 31)];

    const settled = await Promise.allSettled(batch.map((p) => repository.record(p)));

    expect(settled.slice(0, 31).map((s) => (s.status === 'fulfilled' ? s.value.outcome : s.reason))).toEqual(
      Array(31).fill('recorded'),
    );
    expect(settled[31].status).toBe('rejected');
    expect(connections.peak).toBeLessThanOrEqual(t.config.purchaseConcurrency);
  });
});
