import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';
import { asOwner, named, reconcile, sorted } from './drift-kit';
import { adjust, cancelRedemption, lifecycleSeed, LifecycleSeed, postedByHand, PROGRAM, redeem, returnByHand } from './lifecycle-kit';

/**
 * Checks 7 and 9 (and check 6's new guards) on a ledger with every kind of movement: clean when recorded through
 * the guards, in full and incremental runs; each kind of drift, injected as the database owner the way a bad
 * migration or a manual fix would, named by exactly the checks it breaks with exactly the ids involved. Check 8's
 * drift is in lifecycle-ledger-drift.test.ts.
 */
describe('reconciliation of the points lifecycle', () => {
  let t: TestApp;
  let s: LifecycleSeed;
  beforeEach(async () => {
    t = await startTestApp();
    s = await lifecycleSeed(t);
  });
  afterEach(() => t.close());

  const balanceOf = async (customerId: string) =>
    BigInt((await t.sql.query<{ b: string }>('select customer_balance($1)::text as b', [customerId])).rows[0].b);

  it('finds a ledger with every kind of movement clean, in full and then incremental runs, and counts what it read', async () => {
    const { ada, grace, linus } = s.customers;
    expect([await balanceOf(ada), await balanceOf(grace), await balanceOf(linus)]).toEqual([175n, 2n, -100n]);
    const full = await reconcile(t);
    expect({ status: full.status, mode: full.mode, findings: full.findings }).toEqual({ status: 'clean', mode: 'full', findings: [] });
    // Purchases: 4; with points 3. Returns with points 4 (of 5), 3 redemptions, 1 cancellation, 2 adjustments.
    expect(full.counts).toEqual({
      purchases: 4n,
      ledgerTransactions: 3n + 4n + 3n + 1n + 2n,
      accounts: 3n + 5n,
      guards: expect.any(BigInt),
      returns: 5n,
      redemptions: 3n,
      cancellations: 1n,
      adjustments: 2n,
    });

    // One more of each, after the watermark: the incremental run reads those and the accounts they touch.
    const more = await s.buy(grace, s.products.round, 2);
    await cancelRedemption(t, await redeem(t, grace, 10n));
    await s.giveBack(more, 2);
    await adjust(t, ada, -175n, 'closing the account');
    const incremental = await reconcile(t);
    expect({ status: incremental.status, mode: incremental.mode, since: incremental.sinceRunId }).toEqual({
      status: 'clean',
      mode: 'incremental',
      since: full.id,
    });
    expect(incremental.counts).toEqual({
      purchases: 1n,
      ledgerTransactions: 5n,
      // Grace, Ada, and the liability and the four movements' program accounts.
      accounts: 2n + 5n,
      guards: full.counts.guards,
      returns: 1n,
      redemptions: 1n,
      cancellations: 1n,
      adjustments: 1n,
    });
    expect([await balanceOf(ada), await balanceOf(grace)]).toEqual([0n, 2n]);
    expect((await reconcile(t, { full: true })).status).toBe('clean');
  });

  describe('7: returns against their purchases', () => {
    it('a return whose purchase does not exist', async () => {
      const id = randomUUID();
      const ghost = randomUUID();
      await asOwner(t, returnByHand(id, s.returns.zeroReturn.id, { before: 0, quantity: 1, points: 0n, purchaseId: ghost }));
      const report = await reconcile(t);
      expect(named(report)).toEqual([{ check: 'RETURNS_MATCH_PURCHASES', kind: 'return-of-unknown-purchase', ids: [id] }]);
      expect(report.findings[0].examples[0]).toEqual({ id, expected: 'an existing purchase', actual: ghost });
    });

    it("a return recorded under another retailer than its purchase's", async () => {
      const other = await s.f.retailer({ name: 'Elsewhere' });
      const id = s.returns.graceReturns[0].id;
      await asOwner(t, ['update purchase_returns set retailer_id = $2 where id = $1', [id, other.id]]);
      const report = await reconcile(t);
      expect(named(report)).toEqual([{ check: 'RETURNS_MATCH_PURCHASES', kind: 'wrong-retailer-or-customer', ids: [id] }]);
      expect(report.findings[0].examples[0]).toEqual({
        id,
        expected: `retailer ${s.retailer.id}, customer ${s.customers.grace}`,
        actual: `retailer ${other.id}, customer ${s.customers.grace}`,
      });
    });

    it('a return dated before its purchase', async () => {
      const id = s.returns.adaReturn.id;
      await asOwner(t, ["update purchase_returns set returned_at = returned_at - interval '1 day' where id = $1", [id]]);
      expect(named(await reconcile(t))).toEqual([{ check: 'RETURNS_MATCH_PURCHASES', kind: 'returned-before-purchase', ids: [id] }]);
    });

    it('a return that does not start where the earlier returns of its purchase end', async () => {
      // Ada's only return of 4 Round claims 1 unit was returned before it; its points are still right for that.
      const id = s.returns.adaReturn.id;
      await asOwner(t, ['update purchase_returns set units_returned_before = 1 where id = $1', [id]]);
      const report = await reconcile(t);
      expect(named(report)).toEqual([{ check: 'RETURNS_MATCH_PURCHASES', kind: 'broken-sequence', ids: [id] }]);
      expect(report.findings[0].examples[0]).toEqual({ id, expected: '0 units returned before', actual: '1 units returned before' });
    });

    it('returns beyond the units bought', async () => {
      // Linus bought 1 Round and returned it; a second return of it, without points, passes the unit bought.
      const id = randomUUID();
      await asOwner(t, returnByHand(id, s.returns.linusReturn.id, { before: 1, quantity: 1, points: 0n }));
      const report = await reconcile(t);
      expect(named(report)).toEqual([{ check: 'RETURNS_MATCH_PURCHASES', kind: 'units-exceeded', ids: [id] }]);
      expect(report.findings[0].examples[0]).toEqual({ id, expected: 'at most 1 units returned in all', actual: '2 units returned in all' });
    });

    it('a return whose points are not the formula step (and its debit, now off too)', async () => {
      const [first, second] = s.returns.graceReturns;
      // 3 Odd earn floor(3 x 4.995) = 14; the second unit's step is floor(2 x 4.995) - floor(4.995) = 9 - 4 = 5.
      expect([first.pointsReversed, second.pointsReversed]).toEqual([5n, 5n]);
      await asOwner(t, ['update purchase_returns set points_reversed = 4 where id = $1', [second.id]]);
      const report = await reconcile(t);
      expect(named(report)).toEqual([
        { check: 'RETURNS_MATCH_PURCHASES', kind: 'wrong-reversal', ids: [second.id] },
        { check: 'MOVEMENTS_MATCH_LEDGER', kind: 'return-wrong-debit', ids: [second.id] },
      ]);
      expect(report.findings[0]).toMatchObject({ amount: 1n, examples: [{ id: second.id, expected: '5', actual: '4' }] });
      expect(report.findings[1].examples[0]).toEqual({ id: second.id, expected: '-4', actual: '-5' });
    });
  });

  describe('9: negative balances', () => {
    it('a balance below zero that the returns do not explain (a debit adjustment written behind the guards)', async () => {
      const { grace } = s.customers;
      const id = randomUUID();
      const posted = postedByHand('adjustment', 'adjustment_id', id, [[grace, -20n], [PROGRAM.adjustments, 20n]]);
      await asOwner(
        t,
        [
          `insert into points_adjustments (id, idempotency_key, customer_id, points, reason, actor, payload_hash)
           values ($1, 'by-hand-' || gen_random_uuid(), $2, -20, 'by hand', 'nobody', sha256('x'::bytea))`,
          [id, grace],
        ],
        ...posted.statements,
      );
      // 2 - 20 = -18, and her returns took back 10: 8 points owed that no return explains. Linus's -100 is his return's.
      expect(await balanceOf(grace)).toBe(-18n);
      const report = await reconcile(t);
      expect(named(report)).toEqual([{ check: 'NEGATIVE_BALANCES_EXPLAINED', kind: 'unexplained-negative-balance', ids: [grace] }]);
      expect(report.findings[0]).toMatchObject({ count: 1n, amount: 8n, examples: [{ id: grace, expected: 'at least -10', actual: '-18' }] });
    });
  });

  describe('6: the lifecycle guards', () => {
    it('names dropped and disabled guards of the lifecycle tables, and an index rebuilt without uniqueness', async () => {
      await asOwner(
        t,
        'alter table purchase_returns disable trigger purchase_returns_checks',
        'drop trigger redemptions_balance_not_negative on redemptions',
        'alter table purchase_returns drop constraint purchase_returns_sequence',
        'alter table ledger_transactions drop constraint ledger_transactions_movement_reference',
        'drop index ledger_transactions_adjustment_idx',
        'create index ledger_transactions_adjustment_idx on ledger_transactions (adjustment_id) where adjustment_id is not null',
        'alter table points_adjustments disable trigger all',
      );
      expect(named(await reconcile(t))).toEqual([
        {
          check: 'DATABASE_GUARDS',
          kind: 'constraint-missing',
          ids: sorted('ledger_transactions.ledger_transactions_movement_reference', 'purchase_returns.purchase_returns_sequence'),
        },
        { check: 'DATABASE_GUARDS', kind: 'index-not-enforced', ids: ['ledger_transactions.ledger_transactions_adjustment_idx'] },
        {
          check: 'DATABASE_GUARDS',
          kind: 'trigger-disabled',
          ids: [
            'points_adjustments.points_adjustments_append_only',
            'points_adjustments.points_adjustments_balance_not_negative',
            'points_adjustments.points_adjustments_no_truncate',
            'points_adjustments.points_adjustments_references',
            'purchase_returns.purchase_returns_checks',
          ],
        },
        { check: 'DATABASE_GUARDS', kind: 'trigger-missing', ids: ['redemptions.redemptions_balance_not_negative'] },
      ]);
    });
  });
});

describe('incremental reconciliation of the points lifecycle', () => {
  let t: TestApp;
  let s: LifecycleSeed;
  beforeEach(async () => {
    t = await startTestApp();
    s = await lifecycleSeed(t);
  });
  afterEach(() => t.close());

  it('reads the movements committed after the watermark, and names their drift', async () => {
    expect((await reconcile(t)).status).toBe('clean');
    const { grace } = s.customers;
    // After the watermark: a return past the units bought, a redemption without its transaction, and a debit that
    // takes Grace below what her returns explain.
    const [beyond, unposted, debit] = [randomUUID(), randomUUID(), randomUUID()];
    const posted = postedByHand('adjustment', 'adjustment_id', debit, [[grace, -20n], [PROGRAM.adjustments, 20n]]);
    await asOwner(
      t,
      [
        `insert into purchase_returns (id, retailer_id, transaction_id, purchase_id, customer_id, quantity, units_returned_before,
                                       points_reversed, returned_at, payload_hash)
         select $1, retailer_id, 'beyond', purchase_id, customer_id, 1, 1, 0, returned_at, payload_hash
           from purchase_returns where id = $2`,
        [beyond, s.returns.linusReturn.id],
      ],
      [
        `insert into redemptions (id, idempotency_key, customer_id, points, reward_reference, actor, payload_hash)
         values ($1, 'unposted', $2, 10, 'mug', 'nobody', sha256('x'::bytea))`,
        [unposted, grace],
      ],
      [
        `insert into points_adjustments (id, idempotency_key, customer_id, points, reason, actor, payload_hash)
         values ($1, 'debit', $2, -20, 'by hand', 'nobody', sha256('x'::bytea))`,
        [debit, grace],
      ],
      ...posted.statements,
    );
    const report = await reconcile(t);
    expect({ mode: report.mode, status: report.status }).toEqual({ mode: 'incremental', status: 'drift' });
    expect(report.counts).toMatchObject({ returns: 1n, redemptions: 1n, cancellations: 0n, adjustments: 1n, ledgerTransactions: 1n });
    expect(named(report)).toEqual([
      { check: 'RETURNS_MATCH_PURCHASES', kind: 'units-exceeded', ids: [beyond] },
      { check: 'MOVEMENTS_MATCH_LEDGER', kind: 'redemption-missing-transaction', ids: [unposted] },
      { check: 'NEGATIVE_BALANCES_EXPLAINED', kind: 'unexplained-negative-balance', ids: [grace] },
    ]);
  });

  it('does not read older movements again: one changed in place behind the guards waits for a full run', async () => {
    expect((await reconcile(t)).status).toBe('clean');
    await asOwner(t, ['update purchase_returns set units_returned_before = 1 where id = $1', [s.returns.adaReturn.id]]);
    expect((await reconcile(t)).status).toBe('clean');
    expect(named(await reconcile(t, { full: true }))).toEqual([
      { check: 'RETURNS_MATCH_PURCHASES', kind: 'broken-sequence', ids: [s.returns.adaReturn.id] },
    ]);
  });
});

