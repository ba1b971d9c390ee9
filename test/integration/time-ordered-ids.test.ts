import { Fixtures, recordPurchase } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * New purchases and their ledger transactions get time-ordered ids (UUID version 7), so that their rows are
 * appended at the right edge of their indexes (migration 0007).
 */
describe('time-ordered ids', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('gives purchases and ledger transactions version 7 ids that grow with time', async () => {
    t = await startTestApp();
    const f = new Fixtures(t);
    const retailer = await f.retailer();
    const productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '1' });
    const customerId = await f.customer();

    const purchaseIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await recordPurchase(t, retailer.token, { transactionId: `v7-${i}`, customerId, productId, quantity: 1 });
      expect(r.errors).toBeUndefined();
      purchaseIds.push(r.data!.recordPurchase.purchase.id);
      await sleep(2); // a later millisecond
    }
    const { rows } = await t.sql.query<{ purchase_id: string; id: string; key: string }>(
      'select purchase_id, id, key from ledger_transactions where purchase_id = any ($1::uuid[]) order by recorded_at',
      [purchaseIds],
    );
    expect(rows.map((r) => r.purchase_id)).toEqual(purchaseIds);
    for (const id of [...purchaseIds, ...rows.map((r) => r.id)]) expect(id).toMatch(V7);
    expect([...purchaseIds].sort()).toEqual(purchaseIds);
    expect(rows.map((r) => r.id).sort()).toEqual(rows.map((r) => r.id));
    // The database's own ids carry the time they were made.
    const made = rows.map((r) => parseInt(r.id.replace(/-/g, '').slice(0, 12), 16));
    expect(Math.abs(made[0] - Date.now())).toBeLessThan(60_000);
  });
});
