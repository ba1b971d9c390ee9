import { randomUUID } from 'node:crypto';
import { RECORD_PURCHASES_SQL, recordPurchasesValues } from '../../src/purchases/purchases.repository';
import { Fixtures, ledgerSnapshot, recordPurchase } from '../support/fixtures';
import { purchaseToRecord } from '../support/purchase-to-record';
import { startTestApp, TestApp } from '../support/test-app';
import { statementsFailure, txn } from './helpers';

/**
 * Since migration 0017 a purchase's ledger transaction takes the purchase's id instead of a fresh uuid_v7()
 * (decision 0020); the ledger transaction's other guards are unchanged, and the primary key still refuses an id
 * that is already taken, whichever kind brings it.
 */
describe("a purchase's ledger transaction has the purchase's id (migration 0017)", () => {
  let t: TestApp;
  let f: Fixtures;
  let retailerId: string;
  let posToken: string;
  let customerId: string;
  let productId: string;
  let promotionId: string;
  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    const pos = await f.retailer();
    retailerId = pos.id;
    posToken = pos.token;
    customerId = await f.customer();
    productId = await f.product(1000);
    promotionId = (await f.promotion({ productId, awardRate: '10' })).id;
  });
  afterAll(() => t.close());

  const transactionsOf = async (purchaseIds: string[]) =>
    (
      await t.sql.query<{ id: string; purchase_id: string; key: string }>(
        'select id, purchase_id, key from ledger_transactions where purchase_id = any($1::uuid[]) order by key',
        [purchaseIds],
      )
    ).rows;

  it('on the batch path: one per purchase that earns points, with its id, none for a replay or zero points', async () => {
    const earning = (quantity: number, transactionId = txn('ids'), payloadHash?: Buffer) =>
      purchaseToRecord({ retailerId, customerId, productId, transactionId, quantity, promotionId, awardRate: '10', points: BigInt(quantity * 100), payloadHash });
    const a = earning(1);
    const b = earning(2);
    const none = purchaseToRecord({ retailerId, customerId, productId, transactionId: txn('ids-none') });
    // The same purchase again, with an id of its own as the service gives every item.
    const again = earning(1, a.transactionId, a.payloadHash);
    const { rows } = await t.sql.query<{ outcome: string }>(RECORD_PURCHASES_SQL, recordPurchasesValues([a, b, none, again]));
    expect(rows.map((r) => r.outcome)).toEqual(['recorded', 'recorded', 'recorded', 'replayed']);
    expect(await transactionsOf([a.id, b.id, none.id, again.id])).toEqual(
      [a, b].map((p) => ({ id: p.id, purchase_id: p.id, key: `purchase:${p.id}` })).sort((x, y) => x.key.localeCompare(y.key)),
    );
  });

  it('through recordPurchase, as a POS records one', async () => {
    const r = await recordPurchase(t, posToken, { transactionId: txn('ids-http'), customerId, productId, quantity: 3 });
    const purchaseId = r.data!.recordPurchase.purchase.id;
    expect(await transactionsOf([purchaseId])).toEqual([{ id: purchaseId, purchase_id: purchaseId, key: `purchase:${purchaseId}` }]);
  });

  it("still refuses a ledger transaction of another kind that brings a purchase transaction's id", async () => {
    const r = await recordPurchase(t, posToken, { transactionId: txn('ids-taken'), customerId, productId, quantity: 1 });
    const taken = r.data!.recordPurchase.purchase.id;
    const before = await ledgerSnapshot(t);
    const error = await statementsFailure(t, [
      `insert into ledger_transactions (id, key, kind, corrects_id, effective_at) values ($1, $2, 'correction', $1, now())`,
      [taken, `correction:${randomUUID()}`],
    ]);
    expect({ code: error?.code, constraint: error?.constraint }).toEqual({ code: '23505', constraint: 'ledger_transactions_pkey' });
    expect(await ledgerSnapshot(t)).toEqual(before);
  });
});
