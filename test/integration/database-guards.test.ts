import { randomUUID } from 'node:crypto';
import { Fixtures, ledgerSnapshot, recordPurchase } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { statementsFailure, txn } from './helpers';

const LIABILITY = '00000000-0000-0000-0000-00000000a001';
const ADJUSTMENTS = '00000000-0000-0000-0000-00000000a005';
const APPEND_ONLY = ['ledger_entries', 'ledger_transactions', 'purchases', 'promotions'];

describe('the database itself guards the ledger', () => {
  let t: TestApp;
  let customerId: string;
  let purchaseId: string;
  let transactionId: string;
  let retailerId: string;
  let productId: string;
  beforeAll(async () => {
    t = await startTestApp();
    const f = new Fixtures(t);
    const pos = await f.retailer();
    retailerId = pos.id;
    customerId = await f.customer();
    productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '10' });
    const r = await recordPurchase(t, pos.token, { transactionId: txn('guarded'), customerId, productId, quantity: 2 });
    expect(r.data?.recordPurchase.pointsAwarded).toBe('200');
    purchaseId = r.data!.recordPurchase.purchase.id;
    transactionId = (await t.sql.query('select id from ledger_transactions where purchase_id = $1', [purchaseId])).rows[0].id;
  });
  afterAll(() => t.close());

  /** The error a statement (or several, in one database transaction) ends with; null when it succeeds. */
  const failure = (...statements: Array<string | [string, unknown[]]>) => statementsFailure(t, ...statements);

  it.each(APPEND_ONLY)('refuses UPDATE, DELETE and TRUNCATE on %s', async (table) => {
    const before = await ledgerSnapshot(t);
    const rows = Number((await t.sql.query(`select count(*) from ${table}`)).rows[0].count);
    expect(rows).toBeGreaterThan(0);
    const column = table === 'ledger_entries' ? 'amount' : table === 'promotions' ? 'award_rate' : 'recorded_at';
    for (const statement of [
      `update ${table} set ${column} = ${column}`,
      `delete from ${table}`,
      `truncate ${table} cascade`,
      `truncate ${table}`,
    ]) {
      const error = await failure(statement);
      expect({ statement, refused: error !== null }).toEqual({ statement, refused: true });
    }
    // The refusal is the append-only rule, not something incidental.
    for (const statement of [`update ${table} set ${column} = ${column}`, `delete from ${table}`, `truncate ${table} cascade`]) {
      expect((await failure(statement))?.message).toMatch(/append-only/);
    }
    expect(Number((await t.sql.query(`select count(*) from ${table}`)).rows[0].count)).toBe(rows);
    expect(await ledgerSnapshot(t)).toEqual(before);
  });

  it('refuses writing account_balances directly', async () => {
    const before = await ledgerSnapshot(t);
    for (const statement of [
      [`insert into account_balances (account_id, bucket, balance) values ($1, 1, 1000)`, [customerId]],
      [`update account_balances set balance = balance + 1000 where account_id = $1`, [customerId]],
      [`delete from account_balances where account_id = $1`, [customerId]],
      ['truncate account_balances', []],
    ] as Array<[string, unknown[]]>) {
      const error = await failure(statement);
      expect({ statement: statement[0], refused: error !== null }).toEqual({ statement: statement[0], refused: true });
    }
    expect((await failure([`update account_balances set balance = 0 where account_id = $1`, [customerId]]))?.message).toMatch(
      /derived from ledger entries/,
    );
    expect(await ledgerSnapshot(t)).toEqual(before);
  });

  const correction = (id: string): [string, unknown[]] => [
    `insert into ledger_transactions (id, key, kind, corrects_id, effective_at) values ($1, $2, 'correction', $3, now())`,
    [id, `correction:${id}`, transactionId],
  ];
  const entry = (tx: string, account: string, amount: number): [string, unknown[]] => [
    'insert into ledger_entries (transaction_id, account_id, amount) values ($1, $2, $3)',
    [tx, account, amount],
  ];
  const entries = (tx: string, amounts: Array<[string, number]>): [string, unknown[]] => [
    'insert into ledger_entries (transaction_id, account_id, amount) select $1, a, m from unnest($2::uuid[], $3::bigint[]) u(a, m)',
    [tx, amounts.map((a) => a[0]), amounts.map((a) => a[1])],
  ];

  it('refuses entries that do not balance to zero, and a single entry', async () => {
    const before = await ledgerSnapshot(t);
    const id = randomUUID();
    const unbalanced = await failure(correction(id), entries(id, [[LIABILITY, -5], [customerId, 4]]));
    expect(unbalanced?.message).toMatch(/does not balance/);
    const lone = randomUUID();
    expect((await failure(correction(lone), entry(lone, customerId, 5)))?.message).toMatch(/does not balance/);
    // Balanced per statement but split so that the first statement alone is unbalanced: refused at once.
    const split = randomUUID();
    expect(await failure(correction(split), entry(split, LIABILITY, -5), entry(split, customerId, 5))).not.toBeNull();
    expect(await ledgerSnapshot(t)).toEqual(before);
  });

  it('refuses a ledger transaction without entries at commit', async () => {
    const before = await ledgerSnapshot(t);
    const id = randomUUID();
    const error = await failure(correction(id));
    expect(error?.message).toMatch(/fewer than two entries/);
    expect((await t.sql.query('select 1 from ledger_transactions where id = $1', [id])).rowCount).toBe(0);
    expect(await ledgerSnapshot(t)).toEqual(before);
  });

  describe('a transaction that says its entries come in its own statement is checked at that statement (migration 0014)', () => {
    /** A correction that says so (entries_in_statement), and the given entries, in one statement. */
    const saidTogether = (id: string, amounts: Array<[string, number]>): [string, unknown[]] => [
      `with t as (
         insert into ledger_transactions (id, key, kind, corrects_id, effective_at, entries_in_statement)
         values ($1, $2, 'correction', $3, now(), true) returning id)
       insert into ledger_entries (transaction_id, account_id, amount)
       select t.id, a, m from t cross join unnest($4::uuid[], $5::bigint[]) u(a, m)`,
      [id, `correction:${id}`, transactionId, amounts.map((a) => a[0]), amounts.map((a) => a[1])],
    ];

    it('refuses it without entries, or with one, in that statement, and refuses entries left for a later statement', async () => {
      const before = await ledgerSnapshot(t);
      const alone = randomUUID();
      const [text, params] = correction(alone);
      const withoutEntries = await failure(
        [text.replace('corrects_id, effective_at)', 'corrects_id, effective_at, entries_in_statement)').replace('now())', 'now(), true)'), params],
        // Never reached: the first statement is refused at its end, not at commit.
        entries(alone, [[LIABILITY, 7], [customerId, -7]]),
      );
      expect({ message: withoutEntries?.message, constraint: withoutEntries?.constraint }).toEqual({
        message: `ledger transaction ${alone} has fewer than two entries`,
        constraint: 'ledger_transaction_balanced',
      });
      const one = randomUUID();
      expect((await failure(saidTogether(one, [[customerId, 5]])))?.constraint).toBe('ledger_transaction_balanced');
      const unbalanced = randomUUID();
      expect((await failure(saidTogether(unbalanced, [[LIABILITY, -5], [customerId, 4]])))?.message).toMatch(/does not balance/);
      expect(await ledgerSnapshot(t)).toEqual(before);
    });

    it('accepts it with its balanced entries in the same statement (control)', async () => {
      const before = await ledgerSnapshot(t);
      // Between two program accounts: the customer's balance, which other tests read, does not move.
      expect(await failure(saidTogether(randomUUID(), [[LIABILITY, 3], [ADJUSTMENTS, -3]]))).toBeNull();
      expect(await ledgerSnapshot(t)).toEqual({ ...before, transactions: before.transactions + 1, entries: before.entries + 2, balanceTotal: 0n });
    });

    it('is what the purchase path says of every transaction it writes; other writers are checked at commit', async () => {
      const { rows } = await t.sql.query(
        `select t.entries_in_statement as said, count(*)::int as n
           from ledger_transactions t where t.purchase_id = $1 group by 1`,
        [purchaseId],
      );
      expect(rows).toEqual([{ said: true, n: 1 }]);
    });
  });

  it('accepts a balanced correction and materializes the balances from its entries (control)', async () => {
    const before = await ledgerSnapshot(t);
    const id = randomUUID();
    expect(await failure(correction(id), entries(id, [[LIABILITY, 7], [customerId, -7]]))).toBeNull();
    const balance = await t.sql.query('select sum(balance)::text as s from account_balances where account_id = $1', [customerId]);
    expect(balance.rows[0].s).toBe('193');
    expect(await ledgerSnapshot(t)).toEqual({ ...before, transactions: before.transactions + 1, entries: before.entries + 2, balanceTotal: 0n });
  });

  describe('references are checked per statement, and the rows they point at are kept (migration 0008)', () => {
    const purchaseRow = (refs: { retailer: string; customer: string; product: string }): [string, unknown[]] => [
      `insert into purchases (retailer_id, transaction_id, customer_id, product_id, quantity, unit_price_cents, total_price_cents,
                              promotion_id, award_rate, points_earned, purchased_at, payload_hash)
       values ($1, $2, $3, $4, 1, 100, 100, null, null, 0, now(), decode(repeat('ab', 32), 'hex'))`,
      [refs.retailer, txn('refs'), refs.customer, refs.product],
    ];
    const known = () => ({ retailer: retailerId, customer: customerId, product: productId });

    it('refuses a purchase naming a customer, product or retailer that does not exist, with the foreign-key code', async () => {
      const before = await ledgerSnapshot(t);
      for (const field of ['retailer', 'customer', 'product'] as const) {
        const error = await failure(purchaseRow({ ...known(), [field]: randomUUID() }));
        expect({ field, code: error?.code, constraint: error?.constraint }).toEqual({
          field,
          code: '23503',
          constraint: 'purchases_references',
        });
      }
      // One bad row among good ones refuses the whole statement.
      const [text, params] = purchaseRow(known());
      const twoRows = text.replace(
        /values \((.*)\)\s*$/s,
        (_m, row: string) => `values (${row}), (${row.replace('$2', "$2 || '-b'").replace('$3', '$5')})`,
      );
      expect((await failure([twoRows, [...params, randomUUID()]]))?.constraint).toBe('purchases_references');
      expect(await ledgerSnapshot(t)).toEqual(before);
      // Control: the same row with existing references is stored.
      expect(await failure(purchaseRow(known()))).toBeNull();
      expect(await ledgerSnapshot(t)).toEqual({ ...before, purchases: before.purchases + 1 });
    });

    it('refuses ledger rows whose purchase, ledger transaction or account does not exist', async () => {
      const before = await ledgerSnapshot(t);
      const missingPurchase = randomUUID();
      const orphan = await failure([
        `insert into ledger_transactions (key, kind, purchase_id, effective_at) values ($1, 'purchase', $2, now())`,
        [`purchase:${missingPurchase}`, missingPurchase],
      ]);
      expect({ code: orphan?.code, constraint: orphan?.constraint }).toEqual({ code: '23503', constraint: 'ledger_transactions_references' });
      const id = randomUUID();
      const noAccount = await failure(correction(id), entries(id, [[LIABILITY, -5], [randomUUID(), 5]]));
      expect({ code: noAccount?.code, constraint: noAccount?.constraint }).toEqual({ code: '23503', constraint: 'ledger_entries_references' });
      const noTransaction = await failure(entries(randomUUID(), [[LIABILITY, -5], [customerId, 5]]));
      expect({ code: noTransaction?.code, constraint: noTransaction?.constraint }).toEqual({
        code: '23503',
        constraint: 'ledger_entries_references',
      });
      expect(await ledgerSnapshot(t)).toEqual(before);
    });

    it.each([
      ['customers', () => customerId, 'first_name'],
      ['retailers', () => retailerId, 'name'],
      ['products', () => productId, 'name'],
    ])('keeps the rows and ids of %s: DELETE, TRUNCATE and a changed id are refused, other columns may change', async (table, id, column) => {
      for (const statement of [
        [`delete from ${table} where id = $1`, [id()]],
        [`update ${table} set id = gen_random_uuid() where id = $1`, [id()]],
        [`truncate ${table} cascade`, []],
      ] as Array<[string, unknown[]]>) {
        const error = await failure(statement);
        expect({ statement: statement[0], code: error?.code }).toEqual({ statement: statement[0], code: '23001' });
      }
      expect(await failure([`update ${table} set ${column} = ${column} || '' where id = $1`, [id()]])).toBeNull();
      expect((await t.sql.query(`select 1 from ${table} where id = $1`, [id()])).rowCount).toBe(1);
    });
  });

  describe('purchases rows carry their own arithmetic', () => {
    const insertPurchase = (fields: { quantity: number; unit: number; total: number; rate: string | null; points: number }): [string, unknown[]] => [
      `insert into purchases (retailer_id, transaction_id, customer_id, product_id, quantity, unit_price_cents, total_price_cents,
                              promotion_id, award_rate, points_earned, purchased_at, payload_hash)
       values ($1, $2, $3, $4, $5, $6, $7, (select id from promotions limit 1), $8, $9, now(), decode(repeat('ab', 32), 'hex'))`,
      [retailerId, txn('direct'), customerId, productId, fields.quantity, fields.unit, fields.total, fields.rate, fields.points],
    ];

    it('refuses points_earned that do not match floor(total x rate / 100) (CHECK constraint)', async () => {
      for (const points of [200, 198, 0]) {
        const error = await failure(insertPurchase({ quantity: 3, unit: 333, total: 999, rate: '20', points }));
        expect({ points, constraint: error?.constraint }).toEqual({ points, constraint: 'purchases_points_formula' });
      }
      // floor(999 x 20 / 100) = floor(199.8) = 199: the formula's own value is accepted (rolled back below).
      const client = await t.sql.connect();
      try {
        await client.query('begin');
        const [text, params] = insertPurchase({ quantity: 3, unit: 333, total: 999, rate: '20', points: 199 });
        await expect(client.query(text, params)).resolves.toMatchObject({ rowCount: 1 });
      } finally {
        await client.query('rollback');
        client.release();
      }
    });

    it('refuses a total that is not quantity x unit price', async () => {
      const error = await failure(insertPurchase({ quantity: 3, unit: 333, total: 1000, rate: '20', points: 200 }));
      expect(error?.constraint).toBe('purchases_total');
    });
  });
});
