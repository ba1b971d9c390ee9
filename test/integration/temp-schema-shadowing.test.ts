import { randomUUID } from 'node:crypto';
import { Client, DatabaseError } from 'pg';
import { uuidV7 } from '../../src/common/ids/uuid-v7';
import { PROGRAM_LIABILITY_ACCOUNT_ID } from '../../src/ledger/ledger';
import { PurchaseToRecord, RECORD_PURCHASES_SQL, recordPurchasesValues } from '../../src/purchases/purchases.repository';
import { Fixtures, recordPurchase } from '../support/fixtures';
import { purchaseToRecord } from '../support/purchase-to-record';
import { startTestApp, TestApp } from '../support/test-app';
import { txn } from './helpers';

const FOREIGN_KEY_VIOLATION = '23503';
const CHECK_VIOLATION = '23514';
/** The program account that redemptions credit (migration 0010). */
const REDEMPTION_ACCOUNT_ID = '00000000-0000-0000-0000-00000000a003';

/**
 * Every role may create temporary tables unless the database's ACL says otherwise, and PostgreSQL looks a table
 * name up in the session's temporary schema FIRST unless the search path names pg_temp. A guard that reads or
 * writes a table by its bare name must therefore not take that name from the caller's temporary schema: here the
 * service's role shadows each table a guard reads with a temporary table of its own (readable and writable by
 * everyone, so that a function running with its owner's rights can use it too), then makes the write that guard
 * stands in front of. Every attempt runs in a transaction that is rolled back; the facts are read inside it, by
 * schema-qualified names, after the deferred guards have fired (SET CONSTRAINTS ALL IMMEDIATE).
 */
describe("temporary tables of the service's role never stand in for the ledger's tables", () => {
  let t: TestApp;
  let service: Client;
  let customerId: string;
  let retailerId: string;
  let productId: string;
  let promotionId: string;
  /** The funded customer's balance, 200 points (one purchase in beforeAll). */
  const FUNDED = 200n;

  beforeAll(async () => {
    t = await startTestApp();
    const f = new Fixtures(t);
    const pos = await f.retailer();
    retailerId = pos.id;
    customerId = await f.customer();
    productId = await f.product(1000);
    promotionId = (await f.promotion({ productId, awardRate: '10' })).id;
    const r = await recordPurchase(t, pos.token, { transactionId: txn('shadow'), customerId, productId, quantity: 2 });
    expect(r.data?.recordPurchase.pointsAwarded).toBe(FUNDED.toString());
    service = new Client({ connectionString: t.db.serviceUrl });
    await service.connect();
  });
  afterAll(async () => {
    await service.end();
    await t.close();
  });

  /** A temporary table named like a ledger table, usable by every role, holding `rows` (SQL values lists). */
  function shadow(table: string, columns: string, rows: string[] = []): string[] {
    return [
      `create temporary table ${table} (${columns})`,
      `grant all on ${table} to public`,
      ...(rows.length ? [`insert into ${table} values ${rows.join(', ')}`] : []),
    ];
  }
  const shadowBalances = (rows: string[] = []) =>
    shadow('account_balances', 'account_id uuid, bucket smallint, balance bigint not null, primary key (account_id, bucket)', rows);
  const shadowAccounts = (rows: string[] = []) =>
    shadow('accounts', 'id uuid primary key, code text, kind text, customer_id uuid, balance_buckets smallint not null default 1', rows);
  const shadowIds = (table: string, ids: string[]) => shadow(table, 'id uuid primary key', ids.map((id) => `('${id}')`));

  interface Attempt<T> {
    /** The SQLSTATE the attack (or a deferred guard it queued) failed with; null if it went through. */
    code: string | null;
    /** What the attack answered, when it went through. */
    answer: unknown;
    /** Read after the attack, in its transaction (so seeing what it wrote, if it went through). */
    facts: T;
  }

  /**
   * Runs `attack` on the service's connection with `shadows` made first, fires the deferred guards, reads `facts`
   * (given the attack's answer, if it went through) and rolls everything back.
   */
  async function attempt<T>(
    shadows: string[],
    attack: (c: Client) => Promise<unknown>,
    facts: (c: Client, answer: unknown) => Promise<T>,
  ): Promise<Attempt<T>> {
    await service.query('begin');
    try {
      for (const statement of shadows) await service.query(statement);
      await service.query('savepoint attack');
      let code: string | null = null;
      let answer: unknown;
      try {
        answer = await attack(service);
        await service.query('set constraints all immediate');
      } catch (error) {
        code = (error as DatabaseError).code ?? 'no SQLSTATE';
        await service.query('rollback to savepoint attack');
      }
      return { code, answer, facts: await facts(service, answer) };
    } finally {
      await service.query('rollback');
    }
  }

  /** An account's entries summed, and its balance buckets summed: equal, or the ledger no longer reconciles. */
  async function ledgerAndBalance(c: Client, accountId: string): Promise<{ ledger: bigint; balance: bigint }> {
    const { rows } = await c.query<{ ledger: string; balance: string }>(
      `select (select coalesce(sum(e.amount), 0) from public.ledger_entries e where e.account_id = $1)::text as ledger,
              (select coalesce(sum(b.balance), 0) from public.account_balances b where b.account_id = $1)::text as balance`,
      [accountId],
    );
    return { ledger: BigInt(rows[0].ledger), balance: BigInt(rows[0].balance) };
  }

  /**
   * A purchase as the service records it, through the repository's own statement and arguments: under the
   * promotion (10 points per 100 cents), or under none (no points, so no entries).
   */
  function purchase(forCustomer: string, promoted: boolean): PurchaseToRecord {
    return purchaseToRecord({
      retailerId,
      customerId: forCustomer,
      productId,
      transactionId: txn('shadow'),
      ...(promoted ? { promotionId, awardRate: '10', points: 100n } : {}),
    });
  }
  const outcomes = async (c: Client, p: PurchaseToRecord) =>
    (await c.query<{ outcome: string }>(RECORD_PURCHASES_SQL, recordPurchasesValues([p]))).rows.map((r) => r.outcome);

  describe('the balances trigger (post_ledger_entries, run with its owner\'s rights)', () => {
    it('moves the real balances of a purchase though the role has a temporary account_balances', async () => {
      const before = await ledgerAndBalance(service, customerId);
      const result = await attempt(
        shadowBalances(),
        (c) => outcomes(c, purchase(customerId, true)),
        async (c) => ({
          customer: await ledgerAndBalance(c, customerId),
          liability: await ledgerAndBalance(c, PROGRAM_LIABILITY_ACCOUNT_ID),
        }),
      );
      expect(result.code).toBeNull();
      expect(result.answer).toEqual(['recorded']);
      expect(result.facts.customer).toEqual({ ledger: before.ledger + 100n, balance: before.balance + 100n });
      expect(result.facts.liability.balance).toBe(result.facts.liability.ledger);
    });

    it('moves the real balances of an adjustment (another writer of entries) the same way', async () => {
      const before = await ledgerAndBalance(service, customerId);
      const result = await attempt(
        shadowBalances(),
        (c) =>
          c.query(`select outcome from adjust_points(gen_random_uuid(), $1, $2, 25, 'shadowing', 'test', sha256('x'))`, [
            txn('shadow-adjust'),
            customerId,
          ]),
        (c) => ledgerAndBalance(c, customerId),
      );
      expect(result.code).toBeNull();
      expect(result.facts).toEqual({ ledger: before.ledger + 25n, balance: before.balance + 25n });
    });
  });

  it("opens a new customer's real account though the role has a temporary accounts (open_customer_account)", async () => {
    const result = await attempt(
      shadowAccounts(),
      async (c) => (await c.query<{ id: string }>(`insert into customers (first_name, last_name) values ('Temp', 'Shadow') returning id`)).rows[0].id,
      async (c, id) => (await c.query('select id from public.accounts where customer_id = $1', [id])).rows.length,
    );
    expect(result.code).toBeNull();
    expect(result.facts).toBe(1);
  });

  describe("a purchase's references (purchases_references, run with the caller's rights)", () => {
    const missing = randomUUID();
    /** A valid purchase row but for the one reference that names `missing`. */
    const insert = (reference: 'customer_id' | 'product_id' | 'retailer_id' | 'promotion_id') => {
      const values: Record<string, string> = {
        customer_id: customerId,
        product_id: productId,
        retailer_id: retailerId,
        promotion_id: promotionId,
        [reference]: missing,
      };
      return `insert into purchases (id, retailer_id, transaction_id, customer_id, product_id, quantity, unit_price_cents,
                                     total_price_cents, promotion_id, award_rate, points_earned, purchased_at, payload_hash)
              values (gen_random_uuid(), '${values.retailer_id}', '${txn('shadow-ref')}', '${values.customer_id}',
                      '${values.product_id}', 1, 1000, 1000, '${values.promotion_id}', 0, 0, now(), sha256('x'))`;
    };

    it.each([
      ['customers', 'customer_id'],
      ['products', 'product_id'],
      ['retailers', 'retailer_id'],
      ['promotions', 'promotion_id'],
    ] as const)('refuses a purchase naming a missing row though the role has a temporary %s holding it', async (table, reference) => {
      const result = await attempt(shadowIds(table, [missing]), (c) => c.query(insert(reference)), async (c) =>
        Number((await c.query(`select count(*) from public.purchases where ${reference} = $1`, [missing])).rows[0].count),
      );
      expect({ code: result.code, stored: result.facts }).toEqual({ code: FOREIGN_KEY_VIOLATION, stored: 0 });
    });

    it('records nothing through record_purchases() for a customer that only a temporary customers holds', async () => {
      const result = await attempt(
        shadowIds('customers', [missing]),
        (c) => outcomes(c, purchase(missing, false)),
        async (c) => Number((await c.query('select count(*) from public.purchases where customer_id = $1', [missing])).rows[0].count),
      );
      expect(result.facts).toBe(0);
      // Either answer keeps the ledger whole: the function's own lookup, or the statement's reference check.
      if (result.code === null) expect(result.answer).toEqual(['customer_not_found']);
      else expect(result.code).toBe(FOREIGN_KEY_VIOLATION);
    });
  });

  describe('ledger transactions and entries', () => {
    /** An existing ledger transaction (the funding purchase's), for a correction to point at. */
    async function someTransaction(): Promise<string> {
      return (await t.sql.query<{ id: string }>('select id from ledger_transactions order by id limit 1')).rows[0].id;
    }
    const ledgerEntriesShadow = (transactionId: string) =>
      shadow('ledger_entries', 'transaction_id uuid, account_id uuid, amount bigint', [
        `('${transactionId}', '${customerId}', 1)`,
        `('${transactionId}', '${PROGRAM_LIABILITY_ACCOUNT_ID}', -1)`,
      ]);

    it('refuses a transaction for a purchase that only a temporary purchases holds (and entries only a temporary ledger_entries)', async () => {
      const id = uuidV7();
      const purchaseId = randomUUID();
      const result = await attempt(
        [...shadowIds('purchases', [purchaseId]), ...ledgerEntriesShadow(id)],
        (c) =>
          c.query(`insert into ledger_transactions (id, key, kind, purchase_id, effective_at) values ($1, $2, 'purchase', $3, now())`, [
            id,
            `purchase:${purchaseId}`,
            purchaseId,
          ]),
        async (c) => (await c.query('select id from public.ledger_transactions where id = $1', [id])).rows.length,
      );
      expect({ code: result.code, stored: result.facts }).toEqual({ code: FOREIGN_KEY_VIOLATION, stored: 0 });
    });

    it('refuses a transaction without entries though a temporary ledger_entries holds two (the deferred check)', async () => {
      const id = uuidV7();
      const corrects = await someTransaction();
      const result = await attempt(
        ledgerEntriesShadow(id),
        (c) =>
          c.query(`insert into ledger_transactions (id, key, kind, corrects_id, effective_at) values ($1, $2, 'correction', $3, now())`, [
            id,
            `correction:${id}`,
            corrects,
          ]),
        async (c) => (await c.query('select id from public.ledger_transactions where id = $1', [id])).rows.length,
      );
      expect({ code: result.code, stored: result.facts }).toEqual({ code: CHECK_VIOLATION, stored: 0 });
    });

    it('refuses entries to accounts that only a temporary accounts holds (balances shadowed too)', async () => {
      const id = uuidV7();
      const [from, to] = [randomUUID(), randomUUID()];
      const corrects = await someTransaction();
      const result = await attempt(
        [...shadowAccounts([`('${from}', 'x:${from}', 'program', null, 1)`, `('${to}', 'x:${to}', 'program', null, 1)`]), ...shadowBalances()],
        async (c) => {
          await c.query(`insert into ledger_transactions (id, key, kind, corrects_id, effective_at) values ($1, $2, 'correction', $3, now())`, [
            id,
            `correction:${id}`,
            corrects,
          ]);
          await c.query('insert into ledger_entries (transaction_id, account_id, amount) values ($1, $2, -5), ($1, $3, 5)', [id, from, to]);
        },
        async (c) => (await c.query('select id from public.ledger_entries where transaction_id = $1', [id])).rows.length,
      );
      expect({ code: result.code, stored: result.facts }).toEqual({ code: FOREIGN_KEY_VIOLATION, stored: 0 });
    });
  });

  describe("no balance below zero (check_balance_not_negative, run with the caller's rights)", () => {
    const rich = () => shadowBalances([`('${customerId}', 0, 1000000)`]);

    it('refuses a redemption beyond the balance through redeem_points() though a temporary account_balances says it is covered', async () => {
      const result = await attempt(
        rich(),
        (c) =>
          c.query<{ outcome: string }>(
            `select outcome from redeem_points(gen_random_uuid(), $1, $2, $3, 'reward', 'test', sha256('x'))`,
            [txn('shadow-redeem'), customerId, (FUNDED * 10n).toString()],
          ),
        (c) => ledgerAndBalance(c, customerId),
      );
      const answered = result.code ?? (result.answer as { rows: Array<{ outcome: string }> }).rows[0].outcome;
      expect([CHECK_VIOLATION, 'insufficient']).toContain(answered);
      expect(result.facts.balance).toBe(result.facts.ledger);
      expect(result.facts.balance).toBeGreaterThanOrEqual(0n);
    });

    it('refuses a redemption written row by row though a temporary account_balances says it is covered', async () => {
      const redemptionId = randomUUID();
      const points = FUNDED * 10n;
      const result = await attempt(
        rich(),
        async (c) => {
          await c.query(
            `insert into redemptions (id, idempotency_key, customer_id, points, reward_reference, actor, payload_hash)
             values ($1, $2, $3, $4, 'reward', 'test', sha256('x'))`,
            [redemptionId, txn('shadow-redeem'), customerId, points.toString()],
          );
          const { rows } = await c.query<{ id: string }>(
            `insert into ledger_transactions (key, kind, redemption_id, effective_at)
             values ($1, 'redemption', $2, now()) returning id`,
            [`redemption:${redemptionId}`, redemptionId],
          );
          await c.query('select post_movement($1, $2, $3, $4)', [rows[0].id, customerId, REDEMPTION_ACCOUNT_ID, (-points).toString()]);
        },
        (c) => ledgerAndBalance(c, customerId),
      );
      expect(result.code).toBe(CHECK_VIOLATION);
      expect(result.facts.balance).toBe(result.facts.ledger);
      expect(result.facts.balance).toBeGreaterThanOrEqual(0n);
    });
  });
});
