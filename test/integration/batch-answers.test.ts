import { randomUUID } from 'node:crypto';
import { PurchaseToRecord, RECORD_PURCHASES_SQL, recordPurchasesValues } from '../../src/purchases/purchases.repository';
import { Fixtures } from '../support/fixtures';
import { purchaseToRecord } from '../support/purchase-to-record';
import { startTestApp, TestApp } from '../support/test-app';

const COLUMNS = `id, retailer_id, transaction_id, customer_id, product_id, quantity, unit_price_cents,
  total_price_cents::text, promotion_id, award_rate::text, points_earned::text, purchased_at, recorded_at`;

/**
 * Since migration 0016 record_purchases() answers the items it recorded from the call's own arguments and reads
 * back only the others. Whatever the path, an answer must be the row as stored: every column compared here with a
 * read of the table after the call, in one batch holding every outcome.
 */
describe('record_purchases() answers every item with the row as stored', () => {
  let t: TestApp;
  let retailerId: string;
  let productId: string;
  let promotionId: string;
  let customerId: string;
  beforeAll(async () => {
    t = await startTestApp();
    const f = new Fixtures(t);
    retailerId = (await f.retailer()).id;
    productId = await f.product(999);
    // A rate with fewer decimals than the column keeps (numeric(12,4)): stored, and answered, as 1.5000.
    promotionId = (await f.promotion({ productId, awardRate: '1.5' })).id;
    customerId = await f.customer();
  });
  afterAll(() => t.close());

  /** 3 x 999 cents at 1.5: floor(2,997 x 1.5 / 100) = 44 points, or what `quantity` makes of it. */
  function purchase(transactionId: string, spec: { quantity?: number; customerId?: string } = {}): PurchaseToRecord {
    const quantity = spec.quantity ?? 3;
    return purchaseToRecord({
      retailerId,
      customerId: spec.customerId ?? customerId,
      productId,
      transactionId,
      quantity,
      unitPriceCents: 999,
      promotionId,
      awardRate: '1.5',
      points: (BigInt(quantity * 999) * 15n) / 1000n,
      // Microseconds, as a POS may send them.
      purchasedAt: '2026-12-01T10:11:12.345678Z',
    });
  }

  it('recorded, replayed, conflict and unknown-customer items alike', async () => {
    const stored = purchase(`answers-${randomUUID()}`);
    await t.sql.query(RECORD_PURCHASES_SQL, recordPurchasesValues([stored]));
    const balanceBefore = BigInt((await t.sql.query('select sum(balance)::text as b from account_balances where account_id = $1', [customerId])).rows[0].b);

    const first = purchase(`answers-${randomUUID()}`);
    const second = purchase(`answers-${randomUUID()}`, { quantity: 1 });
    const items = [
      first,
      second,
      { ...purchase(stored.transactionId), payloadHash: stored.payloadHash },
      purchase(stored.transactionId),
      purchase(`answers-${randomUUID()}`, { customerId: randomUUID() }),
      { ...purchase(first.transactionId), payloadHash: first.payloadHash },
    ];
    const { rows } = await t.sql.query<Record<string, unknown>>(RECORD_PURCHASES_SQL, recordPurchasesValues(items));
    expect(rows.map((r) => [r.item, r.outcome])).toEqual([
      [1, 'recorded'],
      [2, 'recorded'],
      [3, 'replayed'],
      [4, 'conflict'],
      [5, 'customer_not_found'],
      [6, 'replayed'],
    ]);
    expect(rows.map((r) => r.id)).toEqual([first.id, second.id, stored.id, stored.id, null, first.id]);

    for (const row of rows.filter((r) => r.id !== null)) {
      const { rows: table } = await t.sql.query<Record<string, unknown>>(`select ${COLUMNS} from purchases where id = $1`, [row.id]);
      const { item, outcome, customer_balance, ...answered } = row;
      expect({ item, outcome, ...answered }).toEqual({ item, outcome, ...table[0] });
      expect(customer_balance).toEqual(expect.any(String));
    }
    expect(rows[0].award_rate).toBe('1.5000');
    expect(rows[0].purchased_at).toEqual(new Date('2026-12-01T10:11:12.345Z'));
    expect(rows[0].total_price_cents).toBe('2997');

    // Balances as if the items had committed one by one: item 1 before item 2's credit, replays the balance now.
    const after = balanceBefore + first.points + second.points;
    expect(rows.map((r) => r.customer_balance)).toEqual([
      String(balanceBefore + first.points),
      String(after),
      String(after),
      String(after),
      '0',
      String(after),
    ]);
  });
});
