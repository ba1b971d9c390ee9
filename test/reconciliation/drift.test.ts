import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';
import { asOwner, LIABILITY, named, reconcile, seed, Seeded, shiftBalance, sorted } from './drift-kit';

/**
 * Each kind of drift, injected into a real database as its owner (bypassing the guards, as a bad migration or
 * a manual fix would), must be named by exactly the checks it breaks, with exactly the ids involved. Every
 * test gets a database of its own, seeded through the API.
 */
describe('reconciliation names each kind of drift', () => {
  let t: TestApp;
  let s: Seeded;
  beforeEach(async () => {
    t = await startTestApp();
    s = await seed(t);
  });
  afterEach(() => t.close());

  const correction = async (amount: bigint, customerId: string): Promise<string> => {
    const id = randomUUID();
    const client = await t.sql.connect();
    try {
      await client.query('begin');
      await client.query(
        `insert into ledger_transactions (id, key, kind, corrects_id, effective_at) values ($1, $2, 'correction', $3, now())`,
        [id, `correction:${id}`, s.purchases[0].ledgerTransactionId],
      );
      await client.query(
        'insert into ledger_entries (transaction_id, account_id, amount) values ($1, $2, $3), ($1, $4, $5)',
        [id, LIABILITY, (-amount).toString(), customerId, amount.toString()],
      );
      await client.query('commit');
    } finally {
      client.release();
    }
    return id;
  };

  it('finds nothing on data recorded through the service', async () => {
    await correction(7n, s.customers[0]);
    const report = await reconcile(t);
    expect({ status: report.status, mode: report.mode, findings: report.findings }).toEqual({ status: 'clean', mode: 'full', findings: [] });
    // Two customers, the liability and the four program accounts of migration 0010; no lifecycle rows yet.
    expect(report.counts).toEqual({
      purchases: 5n,
      ledgerTransactions: 5n,
      accounts: 7n,
      guards: expect.any(BigInt),
      returns: 0n,
      redemptions: 0n,
      cancellations: 0n,
      adjustments: 0n,
    });
  });

  it('1: ledger transactions whose entries no longer sum to zero', async () => {
    const [a, b] = [await correction(5n, s.customers[0]), await correction(3n, s.customers[0])];
    // One entry of each moved by one point, in opposite directions: the account's total is unchanged.
    await asOwner(
      t,
      [`update ledger_entries set amount = amount + 1 where transaction_id = $1 and account_id = $2`, [a, s.customers[0]]],
      [`update ledger_entries set amount = amount - 1 where transaction_id = $1 and account_id = $2`, [b, s.customers[0]]],
    );
    const report = await reconcile(t);
    expect(report.status).toBe('drift');
    expect(named(report)).toEqual([{ check: 'TRANSACTIONS_BALANCE', kind: 'unbalanced', ids: sorted(a, b) }]);
    expect(report.findings[0]).toMatchObject({ count: 2n, amount: 2n });
  });

  it('1: a ledger transaction with fewer than two entries', async () => {
    const lone = randomUUID();
    await asOwner(t, [
      `insert into ledger_transactions (id, key, kind, corrects_id, effective_at) values ($1, $2, 'correction', $3, now())`,
      [lone, `correction:${lone}`, s.purchases[0].ledgerTransactionId],
    ]);
    expect(named(await reconcile(t))).toEqual([{ check: 'TRANSACTIONS_BALANCE', kind: 'too-few-entries', ids: [lone] }]);
  });

  it('1: entries whose ledger transaction does not exist', async () => {
    const ghost = randomUUID();
    await asOwner(
      t,
      [
        'insert into ledger_entries (transaction_id, account_id, amount) values ($1, $2, -9), ($1, $3, 9)',
        [ghost, LIABILITY, s.customers[1]],
      ],
      shiftBalance(LIABILITY, -9n),
      shiftBalance(s.customers[1], 9n),
    );
    expect(named(await reconcile(t))).toEqual([{ check: 'TRANSACTIONS_BALANCE', kind: 'entries-without-transaction', ids: [ghost] }]);
  });

  it('2: balances that differ from their entries (still summing to zero)', async () => {
    await asOwner(t, shiftBalance(s.customers[0], 100n), shiftBalance(LIABILITY, -100n));
    const report = await reconcile(t);
    expect(named(report)).toEqual([{ check: 'BALANCES_MATCH_ENTRIES', kind: 'balance-differs-from-entries', ids: sorted(s.customers[0], LIABILITY) }]);
    expect(report.findings[0]).toMatchObject({ count: 2n, amount: 200n });
  });

  it('3: balances that no longer sum to zero (and the account that moved)', async () => {
    await asOwner(t, shiftBalance(s.customers[1], 42n));
    const report = await reconcile(t);
    expect(named(report)).toEqual([
      { check: 'BALANCES_MATCH_ENTRIES', kind: 'balance-differs-from-entries', ids: [s.customers[1]] },
      { check: 'BALANCES_SUM_TO_ZERO', kind: 'nonzero-total', ids: ['all accounts'] },
    ]);
    expect(report.findings[1]).toMatchObject({ amount: 42n, examples: [{ id: 'all accounts', expected: '0', actual: '42' }] });
  });

  it('4: a purchase with points but no ledger transaction', async () => {
    // Inserted by hand, with a correct snapshot: only its credit is missing.
    const id = randomUUID();
    await asOwner(t, [
      `insert into purchases (id, retailer_id, transaction_id, customer_id, product_id, quantity, unit_price_cents,
                              total_price_cents, promotion_id, award_rate, points_earned, purchased_at, payload_hash,
                              promotion_catalog_seq)
       select $1, retailer_id, 'by-hand', customer_id, product_id, quantity, unit_price_cents, total_price_cents,
              promotion_id, award_rate, points_earned, purchased_at, payload_hash, promotion_catalog_seq
         from purchases where id = $2`,
      [id, s.purchases[0].id],
    ]);
    const report = await reconcile(t);
    expect(named(report)).toEqual([{ check: 'PURCHASES_MATCH_LEDGER', kind: 'missing-transaction', ids: [id] }]);
    expect(report.findings[0]).toMatchObject({ count: 1n, amount: s.purchases[0].points });
  });

  it('4: a ledger transaction that credits other than the purchase earned', async () => {
    const p = s.purchases[1];
    await asOwner(
      t,
      [`update ledger_entries set amount = amount + 3 where transaction_id = $1 and account_id = $2`, [p.ledgerTransactionId, p.customerId]],
      [`update ledger_entries set amount = amount - 3 where transaction_id = $1 and account_id = $2`, [p.ledgerTransactionId, LIABILITY]],
      shiftBalance(p.customerId, 3n),
      shiftBalance(LIABILITY, -3n),
    );
    const report = await reconcile(t);
    expect(named(report)).toEqual([{ check: 'PURCHASES_MATCH_LEDGER', kind: 'wrong-credit', ids: [p.id] }]);
    expect(report.findings[0].examples[0]).toEqual({ id: p.id, expected: p.points.toString(), actual: (p.points + 3n).toString() });
  });

  it('4: a purchase ledger transaction whose purchase is gone', async () => {
    const p = s.purchases[2];
    await asOwner(t, ['delete from purchases where id = $1', [p.id]]);
    const report = await reconcile(t);
    expect(named(report)).toEqual([{ check: 'PURCHASES_MATCH_LEDGER', kind: 'transaction-without-purchase', ids: [p.ledgerTransactionId] }]);
    expect(report.findings[0].amount).toBe(p.points);
  });

  it('4: a purchase without points that was credited anyway (the guards allow it: only reconciliation sees it)', async () => {
    const id = randomUUID();
    const client = await t.sql.connect();
    try {
      await client.query('begin');
      await client.query(
        `insert into ledger_transactions (id, key, kind, purchase_id, effective_at) values ($1, $2, 'purchase', $3, now())`,
        [id, `purchase:${s.zeroPointPurchase}`, s.zeroPointPurchase],
      );
      await client.query('insert into ledger_entries (transaction_id, account_id, amount) values ($1, $2, -4), ($1, $3, 4)', [
        id,
        LIABILITY,
        s.customers[0],
      ]);
      await client.query('commit');
    } finally {
      client.release();
    }
    expect(named(await reconcile(t))).toEqual([{ check: 'PURCHASES_MATCH_LEDGER', kind: 'unexpected-transaction', ids: [s.zeroPointPurchase] }]);
  });

  it('5: a purchase whose promotion is not the one the rules select (same rate, same points)', async () => {
    // A second everyone-promotion at the same rate, created after the sale: the sale's catalog did not have it.
    const later = await t.gql<{ createPromotion: { id: string } }>(
      'test-admin-token-0123456789',
      'mutation($i: CreatePromotionInput!) { createPromotion(input: $i) { id } }',
      { i: { productId: s.promotedProduct, awardRate: '10', startDate: '2000-01-01', endDate: '2999-12-31' } },
    );
    const other = later.data!.createPromotion.id;
    await asOwner(t, ['update purchases set promotion_id = $2 where id = $1', [s.purchases[0].id, other]]);
    const report = await reconcile(t);
    expect(named(report)).toEqual([{ check: 'PURCHASES_MATCH_RULES', kind: 'wrong-promotion', ids: [s.purchases[0].id] }]);
    expect(report.findings[0].examples[0]).toEqual({ id: s.purchases[0].id, expected: s.promotionId, actual: other });
  });

  it('5: a snapshot whose rate is not its promotion version\'s (and its credit, now short)', async () => {
    const p = s.purchases[0];
    // Rate and points changed together, as the points CHECK demands: the row is self-consistent, the rules are not.
    await asOwner(t, ['update purchases set award_rate = 20, points_earned = points_earned * 2 where id = $1', [p.id]]);
    const report = await reconcile(t);
    expect(named(report)).toEqual([
      { check: 'PURCHASES_MATCH_LEDGER', kind: 'wrong-credit', ids: [p.id] },
      { check: 'PURCHASES_MATCH_RULES', kind: 'wrong-rate', ids: [p.id] },
    ]);
    expect(report.findings[1].examples[0]).toEqual({ id: p.id, expected: '10', actual: '20' });
  });

  it('5 and 6: points off the formula once a migration dropped its CHECK', async () => {
    const p = s.purchases[1];
    await asOwner(t, 'alter table purchases drop constraint purchases_points_formula', [
      'update purchases set points_earned = points_earned + 1 where id = $1',
      [p.id],
    ]);
    const report = await reconcile(t);
    expect(named(report)).toEqual([
      { check: 'PURCHASES_MATCH_LEDGER', kind: 'wrong-credit', ids: [p.id] },
      { check: 'PURCHASES_MATCH_RULES', kind: 'wrong-points', ids: [p.id] },
      { check: 'DATABASE_GUARDS', kind: 'constraint-missing', ids: ['purchases.purchases_points_formula'] },
    ]);
  });

  it('6: a guard trigger disabled, another dropped', async () => {
    await asOwner(
      t,
      'alter table ledger_entries disable trigger ledger_entries_append_only',
      'drop trigger purchases_no_truncate on purchases',
    );
    expect(named(await reconcile(t))).toEqual([
      { check: 'DATABASE_GUARDS', kind: 'trigger-disabled', ids: ['ledger_entries.ledger_entries_append_only'] },
      { check: 'DATABASE_GUARDS', kind: 'trigger-missing', ids: ['purchases.purchases_no_truncate'] },
    ]);
  });

  it('6: every trigger of two tables disabled for a bulk load, foreign keys included', async () => {
    await asOwner(t, 'alter table ledger_entries disable trigger all', 'alter table account_balances disable trigger all');
    expect(named(await reconcile(t))).toEqual([
      {
        check: 'DATABASE_GUARDS',
        kind: 'constraint-not-enforced',
        ids: ['account_balances.account_balances_account_id_fkey'],
      },
      {
        check: 'DATABASE_GUARDS',
        kind: 'trigger-disabled',
        ids: [
          'account_balances.account_balances_derived_only',
          'account_balances.account_balances_no_truncate',
          'ledger_entries.ledger_entries_append_only',
          'ledger_entries.ledger_entries_no_truncate',
          'ledger_entries.ledger_entries_post',
          'ledger_entries.ledger_entries_references',
        ],
      },
    ]);
  });
});
