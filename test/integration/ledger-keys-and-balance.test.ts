import { randomUUID } from 'node:crypto';
import { DatabaseError } from 'pg';
import { shiftBalance } from '../reconciliation/drift-kit';
import { Fixtures, ledgerSnapshot, recordPurchase } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { statementsFailure, txn } from './helpers';

const LIABILITY = '00000000-0000-0000-0000-00000000a001';
const ADJUSTMENTS = '00000000-0000-0000-0000-00000000a005';

/**
 * Migration 0016 decides three ledger rules with less reading; each must refuse what it refused before:
 * - the ledger key stays unique, now as a CHECK deriving it from the reference each kind already keeps unique;
 * - corrects_id names an existing transaction, checked per statement instead of by a foreign key;
 * - every touched transaction balances, decided from the statement's own entries unless they do not balance alone.
 */
describe('ledger keys, corrections and balances per statement (migration 0016)', () => {
  let t: TestApp;
  let customerId: string;
  let purchaseId: string;
  let transactionId: string;
  beforeAll(async () => {
    t = await startTestApp();
    const f = new Fixtures(t);
    const pos = await f.retailer();
    customerId = await f.customer();
    const productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '10' });
    const r = await recordPurchase(t, pos.token, { transactionId: txn('keyed'), customerId, productId, quantity: 1 });
    purchaseId = r.data!.recordPurchase.purchase.id;
    transactionId = (await t.sql.query('select id from ledger_transactions where purchase_id = $1', [purchaseId])).rows[0].id;
  });
  afterAll(() => t.close());

  /** The error a statement (or several, in one database transaction) ends with; null when it succeeds. */
  const failure = (...statements: Array<[string, unknown[]]>) => statementsFailure(t, ...statements);
  const refusal = (e: DatabaseError | null) => ({ code: e?.code, constraint: e?.constraint });

  /** A correction of the test's purchase transaction with its two balanced entries, in one statement. */
  const correction = (id: string, key: string, corrects = transactionId): [string, unknown[]] => [
    `with t as (
       insert into ledger_transactions (id, key, kind, corrects_id, effective_at, entries_in_statement)
       values ($1, $2, 'correction', $3, now(), true) returning id)
     insert into ledger_entries (transaction_id, account_id, amount)
     select t.id, a, m from t cross join unnest($4::uuid[], $5::bigint[]) u(a, m)`,
    [id, key, corrects, [LIABILITY, ADJUSTMENTS], [3, -3]],
  ];
  const entries = (tx: string, amounts: Array<[string, number]>): [string, unknown[]] => [
    'insert into ledger_entries (transaction_id, account_id, amount) select $1, a, m from unnest($2::uuid[], $3::bigint[]) u(a, m)',
    [tx, amounts.map((a) => a[0]), amounts.map((a) => a[1])],
  ];

  describe('the ledger key', () => {
    it('refuses a key that is not the kind and its reference', async () => {
      const before = await ledgerSnapshot(t);
      const other = randomUUID();
      for (const key of [`purchase:${other}`, `purchase:${purchaseId.toUpperCase()}`, `return:${purchaseId}`, purchaseId]) {
        const error = await failure([
          `insert into ledger_transactions (key, kind, purchase_id, effective_at) values ($1, 'purchase', $2, now())`,
          [key, purchaseId],
        ]);
        expect({ key, ...refusal(error) }).toEqual({ key, code: '23514', constraint: 'ledger_transactions_key_derived' });
      }
      const unprefixed = randomUUID();
      expect(refusal(await failure(correction(unprefixed, `fix:${unprefixed}`)))).toEqual({
        code: '23514',
        constraint: 'ledger_transactions_key_derived',
      });
      expect(await ledgerSnapshot(t)).toEqual(before);
    });

    it('keeps every key unique: a purchase by its purchase_id, a correction by its own index', async () => {
      const before = await ledgerSnapshot(t);
      // The key this purchase's transaction has, once more: its purchase already has a transaction.
      const again = await failure([
        `insert into ledger_transactions (key, kind, purchase_id, effective_at) values ($1, 'purchase', $2, now())`,
        [`purchase:${purchaseId}`, purchaseId],
      ]);
      expect(refusal(again)).toEqual({ code: '23505', constraint: 'ledger_transactions_purchase_id_key' });
      const first = randomUUID();
      const key = `correction:${first}`;
      expect(await failure(correction(first, key))).toBeNull();
      const twice = await failure(correction(randomUUID(), key));
      expect({ code: twice?.code, message: twice?.message }).toEqual({
        code: '23505',
        message: expect.stringContaining('ledger_transactions_correction_key_idx'),
      });
      expect(await ledgerSnapshot(t)).toEqual({ ...before, transactions: before.transactions + 1, entries: before.entries + 2, balanceTotal: 0n });
    });
  });

  it('refuses a correction of a transaction that does not exist, per statement', async () => {
    const before = await ledgerSnapshot(t);
    const id = randomUUID();
    const error = await failure(correction(id, `correction:${id}`, randomUUID()));
    expect(refusal(error)).toEqual({ code: '23503', constraint: 'ledger_transactions_references' });
    expect(error?.message).toContain(id);
    expect(await ledgerSnapshot(t)).toEqual(before);
  });

  describe('balances decided from the statement', () => {
    it('accepts balanced entries added to a balanced transaction, refuses any that are not', async () => {
      const before = await ledgerSnapshot(t);
      const id = randomUUID();
      expect(await failure(correction(id, `correction:${id}`))).toBeNull();
      expect(await failure(entries(id, [[LIABILITY, 2], [ADJUSTMENTS, -2]]))).toBeNull();
      for (const amounts of [[[LIABILITY, 2], [ADJUSTMENTS, -1]], [[LIABILITY, 2]], [[LIABILITY, 2], [LIABILITY, -1]]] as Array<Array<[string, number]>>) {
        expect(refusal(await failure(entries(id, amounts)))).toEqual({ code: '23514', constraint: 'ledger_transaction_balanced' });
      }
      expect(await ledgerSnapshot(t)).toEqual({ ...before, transactions: before.transactions + 1, entries: before.entries + 4, balanceTotal: 0n });
    });

    it('sums the whole transaction when the new entries do not balance alone', async () => {
      // A transaction left with one entry behind the guards (as only the owner, bypassing triggers, can): a
      // single entry that completes it balances the transaction, and one that does not is refused.
      const id = randomUUID();
      const owner = await t.sql.connect();
      try {
        await owner.query('begin');
        await owner.query('set local session_replication_role = replica');
        await owner.query(...correctionWithout(id));
        await owner.query(...entries(id, [[LIABILITY, 4]]));
        // Its balance moved with it, so that the ledger's total, which the other tests read, stays zero.
        const [text, params] = shiftBalance(LIABILITY, 4n);
        await owner.query(text, params);
        await owner.query('commit');
      } finally {
        owner.release();
      }
      expect(refusal(await failure(entries(id, [[ADJUSTMENTS, -3]])))).toEqual({ code: '23514', constraint: 'ledger_transaction_balanced' });
      expect(await failure(entries(id, [[ADJUSTMENTS, -4]]))).toBeNull();
      const { rows } = await t.sql.query('select sum(amount)::int as total, count(*)::int as n from ledger_entries where transaction_id = $1', [id]);
      expect(rows[0]).toEqual({ total: 0, n: 2 });
    });
  });

  /** A correction without entries (only written behind the guards, with its balance left to the entries' test). */
  function correctionWithout(id: string): [string, unknown[]] {
    return [
      `insert into ledger_transactions (id, key, kind, corrects_id, effective_at) values ($1, $2, 'correction', $3, now())`,
      [id, `correction:${id}`, transactionId],
    ];
  }
});
