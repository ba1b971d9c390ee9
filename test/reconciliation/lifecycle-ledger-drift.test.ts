import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';
import { asOwner, named, reconcile, shiftBalance } from './drift-kit';
import {
  lifecycleSeed,
  LifecycleSeed,
  moveWithin,
  postedThroughGuards,
  PROGRAM,
  returnByHand,
  transactionOfMovement,
} from './lifecycle-kit';

/**
 * Check 8: each return, redemption, cancellation and adjustment against its ledger transaction. Each kind of drift,
 * injected as the database owner into a ledger with every kind of movement (lifecycle-kit's lifecycleSeed), is
 * named by exactly the checks it breaks with exactly the ids involved; a fresh database per test.
 */
describe('reconciliation of the movements against the ledger', () => {
  let t: TestApp;
  let s: LifecycleSeed;
  beforeEach(async () => {
    t = await startTestApp();
    s = await lifecycleSeed(t);
  });
  afterEach(() => t.close());

  it('a return with points but no ledger transaction', async () => {
    const id = randomUUID();
    await asOwner(t, returnByHand(id, s.returns.adaReturn.id, { before: 1, quantity: 1, points: 100n }));
    const report = await reconcile(t);
    expect(named(report)).toEqual([{ check: 'MOVEMENTS_MATCH_LEDGER', kind: 'return-missing-transaction', ids: [id] }]);
    expect(report.findings[0]).toMatchObject({ count: 1n, amount: 100n });
  });

  it('a return with two ledger transactions, once its unique index was dropped', async () => {
    const { ada } = s.customers;
    await asOwner(t, 'drop index ledger_transactions_return_idx');
    await postedThroughGuards(t, 'return', 'return_id', s.returns.adaReturn.id, [[ada, -100n], [PROGRAM.returns, 100n]]);
    expect(named(await reconcile(t))).toEqual([
      { check: 'DATABASE_GUARDS', kind: 'index-missing', ids: ['ledger_transactions.ledger_transactions_return_idx'] },
      { check: 'MOVEMENTS_MATCH_LEDGER', kind: 'return-duplicate-transactions', ids: [s.returns.adaReturn.id] },
    ]);
  });

  it('a return without points that moved points anyway', async () => {
    const id = s.returns.zeroReturn.id;
    expect(s.returns.zeroReturn.pointsReversed).toBe(0n);
    await postedThroughGuards(t, 'return', 'return_id', id, [[s.customers.ada, -3n], [PROGRAM.returns, 3n]]);
    expect(named(await reconcile(t))).toEqual([{ check: 'MOVEMENTS_MATCH_LEDGER', kind: 'return-unexpected-transaction', ids: [id] }]);
  });

  it("a return's transaction that debits other than its points", async () => {
    const id = s.returns.adaReturn.id;
    const tx = await transactionOfMovement(t, 'return_id', id);
    await asOwner(t, ...moveWithin(tx, PROGRAM.returns, s.customers.ada, 3n));
    const report = await reconcile(t);
    expect(named(report)).toEqual([{ check: 'MOVEMENTS_MATCH_LEDGER', kind: 'return-wrong-debit', ids: [id] }]);
    expect(report.findings[0].examples[0]).toEqual({ id, expected: '-100', actual: '-97' });
  });

  it('a redemption without its ledger transaction', async () => {
    const id = randomUUID();
    await asOwner(t, [
      `insert into redemptions (id, idempotency_key, customer_id, points, reward_reference, actor, payload_hash)
       select $1, 'by-hand-' || gen_random_uuid(), customer_id, 10, reward_reference, actor, payload_hash from redemptions where id = $2`,
      [id, s.redemptions.kept],
    ]);
    const report = await reconcile(t);
    expect(named(report)).toEqual([{ check: 'MOVEMENTS_MATCH_LEDGER', kind: 'redemption-missing-transaction', ids: [id] }]);
    expect(report.findings[0].examples[0]).toEqual({ id, expected: '-10', actual: 'no transaction' });
  });

  it('a redemption with two ledger transactions, once its unique index was dropped', async () => {
    await asOwner(t, 'drop index ledger_transactions_redemption_idx');
    await postedThroughGuards(t, 'redemption', 'redemption_id', s.redemptions.kept, [[s.customers.ada, -150n], [PROGRAM.redemptions, 150n]]);
    expect(named(await reconcile(t))).toEqual([
      { check: 'DATABASE_GUARDS', kind: 'index-missing', ids: ['ledger_transactions.ledger_transactions_redemption_idx'] },
      { check: 'MOVEMENTS_MATCH_LEDGER', kind: 'redemption-duplicate-transactions', ids: [s.redemptions.kept] },
    ]);
  });

  it("a redemption's transaction that debits other than its points", async () => {
    const id = s.redemptions.kept;
    const tx = await transactionOfMovement(t, 'redemption_id', id, 'redemption');
    await asOwner(t, ...moveWithin(tx, s.customers.ada, PROGRAM.redemptions, 1n));
    const report = await reconcile(t);
    expect(named(report)).toEqual([{ check: 'MOVEMENTS_MATCH_LEDGER', kind: 'redemption-wrong-debit', ids: [id] }]);
    expect(report.findings[0]).toMatchObject({ amount: 1n, examples: [{ id, expected: '-150', actual: '-151' }] });
  });

  it('a cancellation without its ledger transaction', async () => {
    const id = s.redemptions.kept;
    await asOwner(t, ["insert into redemption_cancellations (redemption_id, actor) values ($1, 'by hand')", [id]]);
    expect(named(await reconcile(t))).toEqual([{ check: 'MOVEMENTS_MATCH_LEDGER', kind: 'cancellation-missing-transaction', ids: [id] }]);
  });

  it('a cancellation with two ledger transactions, once the unique index was dropped', async () => {
    const id = s.redemptions.cancelled;
    await asOwner(t, 'drop index ledger_transactions_redemption_idx');
    await postedThroughGuards(t, 'cancellation', 'redemption_id', id, [[s.customers.ada, 50n], [PROGRAM.cancellations, -50n]]);
    expect(named(await reconcile(t))).toEqual([
      { check: 'DATABASE_GUARDS', kind: 'index-missing', ids: ['ledger_transactions.ledger_transactions_redemption_idx'] },
      { check: 'MOVEMENTS_MATCH_LEDGER', kind: 'cancellation-duplicate-transactions', ids: [id] },
    ]);
  });

  it("a cancellation's transaction that credits other than the redemption's points", async () => {
    const id = s.redemptions.cancelled;
    const tx = await transactionOfMovement(t, 'redemption_id', id, 'cancellation');
    await asOwner(t, ...moveWithin(tx, PROGRAM.cancellations, s.customers.ada, 5n));
    const report = await reconcile(t);
    expect(named(report)).toEqual([{ check: 'MOVEMENTS_MATCH_LEDGER', kind: 'cancellation-wrong-credit', ids: [id] }]);
    expect(report.findings[0].examples[0]).toEqual({ id, expected: '50', actual: '55' });
  });

  it('a redemption cancelled twice, once the primary key of cancellations was dropped', async () => {
    const id = s.redemptions.cancelled;
    await asOwner(
      t,
      'alter table redemption_cancellations drop constraint redemption_cancellations_pkey',
      ["insert into redemption_cancellations (redemption_id, actor) values ($1, 'again')", [id]],
    );
    expect(named(await reconcile(t))).toEqual([
      { check: 'DATABASE_GUARDS', kind: 'constraint-missing', ids: ['redemption_cancellations.redemption_cancellations_pkey'] },
      { check: 'MOVEMENTS_MATCH_LEDGER', kind: 'duplicate-cancellations', ids: [id] },
    ]);
  });

  it('a cancellation of a redemption that does not exist', async () => {
    const id = randomUUID();
    await asOwner(t, ["insert into redemption_cancellations (redemption_id, actor) values ($1, 'by hand')", [id]]);
    expect(named(await reconcile(t))).toEqual([{ check: 'MOVEMENTS_MATCH_LEDGER', kind: 'cancellation-without-redemption', ids: [id] }]);
  });

  it('an adjustment without its ledger transaction', async () => {
    const id = randomUUID();
    await asOwner(t, [
      `insert into points_adjustments (id, idempotency_key, customer_id, points, reason, actor, payload_hash)
       select $1, 'by-hand-' || gen_random_uuid(), customer_id, 5, reason, actor, payload_hash from points_adjustments where id = $2`,
      [id, s.adjustments.credit],
    ]);
    const report = await reconcile(t);
    expect(named(report)).toEqual([{ check: 'MOVEMENTS_MATCH_LEDGER', kind: 'adjustment-missing-transaction', ids: [id] }]);
    expect(report.findings[0].examples[0]).toEqual({ id, expected: '5', actual: 'no transaction' });
  });

  it('an adjustment with two ledger transactions, once its unique index was dropped', async () => {
    const id = s.adjustments.credit;
    await asOwner(t, 'drop index ledger_transactions_adjustment_idx');
    await postedThroughGuards(t, 'adjustment', 'adjustment_id', id, [[s.customers.ada, 25n], [PROGRAM.adjustments, -25n]]);
    expect(named(await reconcile(t))).toEqual([
      { check: 'DATABASE_GUARDS', kind: 'index-missing', ids: ['ledger_transactions.ledger_transactions_adjustment_idx'] },
      { check: 'MOVEMENTS_MATCH_LEDGER', kind: 'adjustment-duplicate-transactions', ids: [id] },
    ]);
  });

  it("an adjustment's transaction that moves other than its points", async () => {
    const id = s.adjustments.debit;
    const tx = await transactionOfMovement(t, 'adjustment_id', id);
    await asOwner(t, ...moveWithin(tx, PROGRAM.adjustments, s.customers.grace, 1n));
    const report = await reconcile(t);
    expect(named(report)).toEqual([{ check: 'MOVEMENTS_MATCH_LEDGER', kind: 'adjustment-wrong-amount', ids: [id] }]);
    expect(report.findings[0].examples[0]).toEqual({ id, expected: '-2', actual: '-1' });
  });

  it("a movement's other side posted to another program account", async () => {
    const tx = await transactionOfMovement(t, 'redemption_id', s.redemptions.kept, 'redemption');
    await asOwner(
      t,
      ['update ledger_entries set account_id = $3 where transaction_id = $1 and account_id = $2', [tx, PROGRAM.redemptions, PROGRAM.liability]],
      shiftBalance(PROGRAM.redemptions, -150n),
      shiftBalance(PROGRAM.liability, 150n),
    );
    const report = await reconcile(t);
    expect(named(report)).toEqual([{ check: 'MOVEMENTS_MATCH_LEDGER', kind: 'wrong-program-account', ids: [tx] }]);
    expect(report.findings[0]).toMatchObject({ amount: 150n, examples: [{ id: tx, expected: 'program:redemptions', actual: 'program:liability' }] });
  });

  it('a lifecycle ledger transaction whose row is gone', async () => {
    const tx = await transactionOfMovement(t, 'redemption_id', s.redemptions.kept, 'redemption');
    await asOwner(t, ['delete from redemptions where id = $1', [s.redemptions.kept]]);
    const report = await reconcile(t);
    expect(named(report)).toEqual([{ check: 'MOVEMENTS_MATCH_LEDGER', kind: 'transaction-without-movement', ids: [tx] }]);
    expect(report.findings[0]).toMatchObject({
      amount: 150n,
      examples: [{ id: tx, expected: `its redemption ${s.redemptions.kept}`, actual: '150 points moved' }],
    });
  });
});
