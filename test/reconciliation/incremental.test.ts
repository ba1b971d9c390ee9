import { randomUUID } from 'node:crypto';
import { recordPurchase } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { asOwner, LIABILITY, named, reconcile, seed, Seeded, shiftBalance } from './drift-kit';

/** A purchase row with a correct snapshot but no ledger transaction: check 4's missing-transaction. */
const uncreditedCopy = (id: string, of: string, transactionId: string): [string, unknown[]] => [
  `insert into purchases (id, retailer_id, transaction_id, customer_id, product_id, quantity, unit_price_cents,
                          total_price_cents, promotion_id, award_rate, points_earned, purchased_at, payload_hash,
                          promotion_catalog_seq)
   select $1, retailer_id, $3, customer_id, product_id, quantity, unit_price_cents, total_price_cents, promotion_id,
          award_rate, points_earned, purchased_at, payload_hash, promotion_catalog_seq
     from purchases where id = $2`,
  [id, of, transactionId],
];

describe('incremental reconciliation', () => {
  let t: TestApp;
  let s: Seeded;
  beforeEach(async () => {
    t = await startTestApp();
    s = await seed(t);
  });
  afterEach(() => t.close());

  async function buy(n: number): Promise<void> {
    const pos = await t.gql<{ createRetailer: { authToken: string } }>(
      'test-admin-token-0123456789',
      'mutation { createRetailer(input: { name: "Later", timezone: "UTC" }) { authToken } }',
    );
    for (let i = 0; i < n; i++) {
      const r = await recordPurchase(t, pos.data!.createRetailer.authToken, {
        transactionId: `later-${randomUUID()}`,
        customerId: s.customers[i % 2],
        productId: s.promotedProduct,
        quantity: 1 + i,
      });
      expect(r.errors).toBeUndefined();
    }
  }

  it('reads only what committed since the last clean run, then keeps going from there', async () => {
    const first = await reconcile(t);
    expect({ mode: first.mode, reason: first.modeReason, status: first.status }).toEqual({
      mode: 'full',
      reason: 'no earlier run',
      status: 'clean',
    });
    await buy(3);
    const second = await reconcile(t);
    expect({ mode: second.mode, since: second.sinceRunId, status: second.status }).toEqual({
      mode: 'incremental',
      since: first.id,
      status: 'clean',
    });
    // The three new purchases and their transactions; the accounts they touched (both customers, the liability).
    expect(second.counts).toMatchObject({ purchases: 3n, ledgerTransactions: 3n, accounts: 3n });
    const third = await reconcile(t);
    expect({ mode: third.mode, since: third.sinceRunId, counts: third.counts }).toMatchObject({
      mode: 'incremental',
      since: second.id,
      counts: { purchases: 0n, ledgerTransactions: 0n, accounts: 0n },
    });
    expect((await reconcile(t, { full: true })).counts).toMatchObject({ purchases: 8n, ledgerTransactions: 7n });
  });

  it('finds drift committed after the watermark; after drift the next run is full and finds it again', async () => {
    await reconcile(t);
    await buy(2);
    const bad = randomUUID();
    await asOwner(t, uncreditedCopy(bad, s.purchases[0].id, 'by-hand-1'));
    const found = await reconcile(t);
    expect({ mode: found.mode, status: found.status, counts: found.counts.purchases }).toEqual({ mode: 'incremental', status: 'drift', counts: 3n });
    expect(named(found)).toEqual([{ check: 'PURCHASES_MATCH_LEDGER', kind: 'missing-transaction', ids: [bad] }]);

    const again = await reconcile(t);
    expect({ mode: again.mode, reason: again.modeReason }).toEqual({ mode: 'full', reason: `run ${found.id} found drift` });
    expect(named(again)).toEqual(named(found));
  });

  it('follows commit order: a row written before the watermark but committed after it is read by the next run', async () => {
    await reconcile(t);
    const slow = await t.sql.connect();
    const bad = randomUUID();
    try {
      // Written (and its transaction id taken) before the run below, committed after it.
      await slow.query('begin');
      await slow.query(...uncreditedCopy(bad, s.purchases[1].id, 'slow-writer'));
      await buy(1);
      const during = await reconcile(t);
      expect({ status: during.status, purchases: during.counts.purchases }).toEqual({ status: 'clean', purchases: 1n });
      await slow.query('commit');
    } finally {
      slow.release();
    }
    const after = await reconcile(t);
    expect({ mode: after.mode, purchases: after.counts.purchases }).toEqual({ mode: 'incremental', purchases: 1n });
    expect(named(after)).toEqual([{ check: 'PURCHASES_MATCH_LEDGER', kind: 'missing-transaction', ids: [bad] }]);
  });

  it('reads an older transaction again when an entry is added to it after the watermark', async () => {
    await reconcile(t);
    const p = s.purchases[2];
    // Balanced, so the guards accept it; it credits the purchase's customer beyond what the purchase earned.
    await t.sql.query('insert into ledger_entries (transaction_id, account_id, amount) values ($1, $2, -5), ($1, $3, 5)', [
      p.ledgerTransactionId,
      LIABILITY,
      p.customerId,
    ]);
    const report = await reconcile(t);
    expect({ mode: report.mode, transactions: report.counts.ledgerTransactions }).toEqual({ mode: 'incremental', transactions: 1n });
    expect(named(report)).toEqual([{ check: 'PURCHASES_MATCH_LEDGER', kind: 'wrong-credit', ids: [p.id] }]);
  });

  it('catches older rows changed in place through the global sums, and names them in the next (full) run', async () => {
    await reconcile(t);
    await asOwner(t, shiftBalance(s.customers[0], 11n), [
      'update ledger_entries set amount = amount - 2 where transaction_id = $1 and account_id = $2',
      [s.purchases[3].ledgerTransactionId, LIABILITY],
    ]);
    const incremental = await reconcile(t);
    expect(incremental.mode).toBe('incremental');
    // The tampered rows are older than the watermark: only the global sums see them, without their ids.
    expect(named(incremental)).toEqual([
      { check: 'TRANSACTIONS_BALANCE', kind: 'changed-before-watermark', ids: ['ledger entries before the watermark'] },
      { check: 'BALANCES_SUM_TO_ZERO', kind: 'nonzero-total', ids: ['all accounts'] },
    ]);
    const full = await reconcile(t);
    expect(full.mode).toBe('full');
    expect(named(full)).toEqual([
      { check: 'TRANSACTIONS_BALANCE', kind: 'unbalanced', ids: [s.purchases[3].ledgerTransactionId] },
      { check: 'BALANCES_MATCH_ENTRIES', kind: 'balance-differs-from-entries', ids: [LIABILITY, s.customers[0]].sort() },
      { check: 'BALANCES_SUM_TO_ZERO', kind: 'nonzero-total', ids: ['all accounts'] },
    ]);
  });

  it('does not read rows committed before the watermark again: an old purchase changed in place waits for a full run', async () => {
    await reconcile(t);
    await asOwner(t, ['update purchases set promotion_id = null, award_rate = null, points_earned = 0 where id = $1', [s.purchases[0].id]]);
    const incremental = await reconcile(t);
    expect({ mode: incremental.mode, status: incremental.status }).toEqual({ mode: 'incremental', status: 'clean' });
    const full = await reconcile(t, { full: true });
    expect(named(full)).toEqual([
      { check: 'PURCHASES_MATCH_LEDGER', kind: 'unexpected-transaction', ids: [s.purchases[0].id] },
      { check: 'PURCHASES_MATCH_RULES', kind: 'wrong-promotion', ids: [s.purchases[0].id] },
    ]);
  });
});

describe('an empty ledger', () => {
  let t: TestApp;
  // Each test its own empty ledger: the drift one test makes is not what another finds.
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(() => t.close());

  it('is reported as empty, not clean, and the next run reads everything again', async () => {
    const first = await reconcile(t);
    expect({ status: first.status, findings: first.findings, purchases: first.counts.purchases }).toEqual({
      status: 'empty',
      findings: [],
      purchases: 0n,
    });
    const second = await reconcile(t);
    expect({ status: second.status, mode: second.mode, reason: second.modeReason }).toEqual({
      status: 'empty',
      mode: 'full',
      reason: `run ${first.id} found an empty ledger`,
    });
  });

  it('still reports drift in what exists: balances without entries, a missing guard', async () => {
    await asOwner(t, shiftBalanceRow(), 'alter table ledger_entries disable trigger ledger_entries_post');
    const report = await reconcile(t);
    expect(report.status).toBe('drift');
    expect(named(report).map((f) => f.kind)).toEqual(['balance-differs-from-entries', 'nonzero-total', 'trigger-disabled']);
  });
});

/** A balance row where no entry ever was. */
function shiftBalanceRow(): [string, unknown[]] {
  return ['insert into account_balances (account_id, bucket, balance) values ($1, 0, 5)', [LIABILITY]];
}
