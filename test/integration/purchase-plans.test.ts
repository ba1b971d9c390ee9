import { randomBytes } from 'node:crypto';
import { uuidV7 } from '../../src/common/ids/uuid-v7';
import { PurchaseToRecord, RECORD_PURCHASES_SQL, recordPurchasesValues } from '../../src/purchases/purchases.repository';
import { REDEEM_POINTS_BATCH_SQL, redeemPointsBatchValues, RedemptionToRecord } from '../../src/redemptions/redemptions.repository';
import { Fixtures } from '../support/fixtures';
import { purchaseToRecord } from '../support/purchase-to-record';
import { startTestApp, TestApp } from '../support/test-app';

/** Index scans in an auto_explain text that read a whole index instead of looking up a key. */
function scansWithoutKey(plans: string): string[] {
  const lines = plans.split('\n');
  const indent = (line: string) => line.length - line.trimStart().length;
  return lines.flatMap((line, at) => {
    if (!/(Index Scan|Index Only Scan|Bitmap Index Scan)( Backward)? (using|on) /.test(line)) return [];
    const node = line.indexOf('->') >= 0 ? line.indexOf('->') : indent(line);
    const details: string[] = [];
    for (const next of lines.slice(at + 1)) {
      if (indent(next) <= node || next.trimStart().startsWith('->')) break;
      details.push(next);
    }
    return details.some((d) => d.includes('Index Cond:')) ? [] : [line.trim()];
  });
}

/**
 * The purchase path's statements are planned once per connection and reused (migration 0006). Plans made when
 * the statistics say the tables are empty must still reach every table by a key: a sequential scan, or a whole
 * index read in some useful order, cached then would be kept while the tables grow to millions of rows. The
 * redemption batches of migration 0011 follow the same rules.
 */
describe('plans of the purchase and redemption paths', () => {
  let t: TestApp;
  let retailerId: string;
  let productId: string;
  let promotionId: string;
  let customers: string[];

  beforeAll(async () => {
    t = await startTestApp();
    const f = new Fixtures(t);
    retailerId = (await f.retailer()).id;
    productId = await f.product(1000);
    promotionId = (await f.promotion({ productId, awardRate: '1' })).id;
    customers = [await f.customer(), await f.customer()];
  });
  afterAll(() => t.close());

  /** A purchase as the service would record it (the repository's own statement and arguments are used). */
  function purchase(customerId: string, transactionId: string): PurchaseToRecord {
    return purchaseToRecord({ retailerId, customerId, productId, transactionId, promotionId, awardRate: '1', points: 10n });
  }

  /**
   * The plans of the 8th call of `statement` on a fresh connection that logs them (auto_explain), every call
   * answering `expected` (item, outcome) rows. Beyond the five calls after which PL/pgSQL would otherwise
   * consider a cached generic plan.
   */
  async function plansOfEighthCall(
    statement: string,
    valuesOf: (call: number) => unknown[],
    expected: Array<[number, string]>,
    settings = '',
  ): Promise<string> {
    const client = await t.sql.connect();
    const plans: string[] = [];
    const keep = (notice: { message?: string }): void => {
      plans.push(notice.message ?? '');
    };
    try {
      if (settings) await client.query(settings);
      await client.query(`load 'auto_explain'`);
      await client.query(`set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on;
                          set auto_explain.log_triggers = on; set auto_explain.log_level = notice`);
      for (let call = 1; call <= 8; call++) {
        if (call === 8) client.on('notice', keep);
        const { rows } = await client.query<{ item: number; outcome: string }>(statement, valuesOf(call));
        expect(rows.map((r) => [r.item, r.outcome])).toEqual(expected);
      }
    } finally {
      client.off('notice', keep);
      client.release(true);
    }
    return plans.join('\n');
  }

  it('looks up every row by a key, on a connection that planned after ANALYZE of nearly empty tables', async () => {
    await t.sql.query('analyze customers, accounts, purchases, ledger_transactions, ledger_entries, account_balances');
    const all = await plansOfEighthCall(
      RECORD_PURCHASES_SQL,
      (call) => recordPurchasesValues([purchase(customers[call % 2], `plan-${call}`)]),
      [[1, 'recorded']],
    );
    // The statements that matter were all explained: the purchase insert, the stored rows and balances, the
    // balance trigger, the deferred entries check and the per-statement reference checks (0008).
    expect(all).toMatch(/Insert on purchases/);
    expect(all).toMatch(/new_purchases/);
    expect(all).toMatch(/retailers_pkey/);
    expect(all).toMatch(/products_pkey/);
    expect(all).toMatch(/accounts_pkey/);
    expect(all).toMatch(/account_balances_pkey/);
    expect(all).toMatch(/purchases_idempotency_key on purchases/);
    expect(all).toMatch(/ledger_entries_transaction_idx/);
    expect(all).toMatch(/customers_pkey/);
    expect(all).not.toMatch(/Seq Scan/);
    expect(scansWithoutKey(all)).toEqual([]);
  });

  describe('batches of 1,000 purchases (migration 0012)', () => {
    const BATCH = 1000;
    const recorded = Array.from({ length: BATCH }, (_, i): [number, string] => [i + 1, 'recorded']);
    let many: string[] = [];
    let calls = 0;

    beforeAll(async () => {
      const { rows } = await t.sql.query<{ id: string }>(
        `insert into customers (first_name, last_name)
         select 'Plan', 'Batch ' || g from generate_series(1, $1::int) g returning id`,
        [BATCH],
      );
      many = rows.map((r) => r.id);
    });

    /** A batch of distinct customers, each purchase earning points, under transaction ids never used before. */
    const batch = (size = BATCH): unknown[] => {
      calls++;
      const customerIds = many.slice(0, size);
      return recordPurchasesValues(customerIds.map((customerId, i) => purchase(customerId, `plan-batch-${calls}-${i}`)));
    };
    /** The plan of the statement that answers the batch (its rows and balances), from all the call's plans. */
    const answering = (all: string): string => {
      const plan = all.split(/(?=duration: )/).find((p) => p.includes('from account_balances a'));
      if (plan === undefined) throw new Error(`no plan of the answering statement in:\n${all}`);
      return plan;
    };
    const analyze = () =>
      t.sql.query('analyze customers, accounts, purchases, ledger_transactions, ledger_entries, account_balances');

    /** What every 1,000-item call must show, whatever the statistics were when the connection planned it. */
    function expectKeyLookups(all: string): void {
      expect(all).not.toMatch(/Seq Scan/);
      expect(scansWithoutKey(all)).toEqual([]);
      // A nested loop that re-reads a set for every row shows a Join Filter (and usually a Materialize): none.
      expect(all).not.toMatch(/Join Filter/);
      expect(all).not.toMatch(/Materialize/);
      // The items with postings are found in a hashed set of the posting items (migration 0014), not by comparing
      // every item with the whole postings array (1,000 x 2,000 comparisons per call here).
      expect(all).not.toMatch(/item = ANY/);
      // The balances: each item's customer by primary key, never the batch's customers as one set.
      const answer = answering(all);
      expect(answer).toMatch(/Index Cond: \(account_id = \w+\.customer_id\)/);
      expect(answer).not.toMatch(/ANY/);
    }

    it('reads every balance by a key on a connection that planned after ANALYZE of nearly empty tables', async () => {
      await analyze();
      expectKeyLookups(await plansOfEighthCall(RECORD_PURCHASES_SQL, () => batch(), recorded));
    });

    it('the same on a loaded database (thousands of purchases, entries and balances)', async () => {
      const loader = await t.sql.connect();
      try {
        for (let n = 0; n < 4; n++) await loader.query(RECORD_PURCHASES_SQL, batch());
      } finally {
        loader.release(true);
      }
      const { rows } = await t.sql.query<{ purchases: number; balances: number }>(
        `select (select count(*) from purchases)::int as purchases,
                (select count(*) from account_balances where account_id = any ($1::uuid[]))::int as balances`,
        [many],
      );
      expect(rows[0].purchases).toBeGreaterThanOrEqual(4 * BATCH);
      expect(rows[0].balances).toBe(BATCH);
      await analyze();
      expectKeyLookups(await plansOfEighthCall(RECORD_PURCHASES_SQL, () => batch(), recorded));
    });

    it('answers the batch with no join the statistics choose: linear even with hash and merge joins ruled out', async () => {
      // The trap of 0006: the batch's balances as one set, joined to the items by the planner's choice; with
      // hash and merge joins costed out (as small tables may make them look) it became a nested loop over the set.
      // 100 items: the first statement's joins (of the call's own arrays) become nested loops here too.
      const all = await plansOfEighthCall(RECORD_PURCHASES_SQL, () => batch(100), recorded.slice(0, 100),
        'set enable_hashjoin = off; set enable_mergejoin = off');
      const answer = answering(all);
      expect(answer).not.toMatch(/Join Filter/);
      expect(answer).not.toMatch(/Materialize/);
      expect(answer).toMatch(/Index Cond: \(account_id = \w+\.customer_id\)/);
    });

    it('compiles nothing: JIT is off for the whole call, whatever its statements are estimated to cost', async () => {
      // Compiling is per execution (~17 ms of a 45 ms call, measured when a loaded ledger's statistics pushed the
      // answering statement over jit_above_cost). Here every statement is over it; the function's jit = off wins.
      const { rows } = await t.sql.query<{ available: boolean }>('select pg_jit_available() as available');
      const all = await plansOfEighthCall(RECORD_PURCHASES_SQL, () => batch(10), recorded.slice(0, 10),
        'set jit_above_cost = 0; set jit_inline_above_cost = 0; set jit_optimize_above_cost = 0');
      // The caller's own statement (select ... from record_purchases(...)) is planned outside the function's
      // settings; it costs ~10, far below any threshold, and is left out here.
      const inside = all.split(/(?=duration: )/).filter((plan) => !plan.includes('from record_purchases('));
      expect(inside.join('\n')).toMatch(/Insert on purchases/);
      const compiled = inside.filter((plan) => /JIT:/.test(plan)).length;
      expect({ available: rows[0].available, compiled }).toEqual({ available: rows[0].available, compiled: 0 });
    });

    it('keeps the settings of the purchase path on the function (CREATE OR REPLACE drops them)', async () => {
      const { rows } = await t.sql.query<{ config: string[] }>(
        `select proconfig as config from pg_proc where proname = 'record_purchases'`,
      );
      expect(rows).toEqual([{ config: ['plan_cache_mode=force_generic_plan', 'enable_seqscan=off', 'jit=off', 'search_path=pg_catalog, public, pg_temp'] }]);
    });
  });

  it('redemption batches (migration 0011) too: locks, keys, balances and writes by a key', async () => {
    const funded = [await new Fixtures(t).customer(), await new Fixtures(t).customer()];
    for (const customerId of funded) {
      await t.sql.query(
        `select adjust_points(gen_random_uuid(), 'plan-fund-' || $1, $1::uuid, 1000, 'plans', 'test',
                              sha256(convert_to($1, 'UTF8')))`,
        [customerId],
      );
    }
    await t.sql.query(`analyze customers, accounts, account_balances, redemptions, redemption_cancellations,
                               ledger_transactions, ledger_entries`);
    const redemption = (customerId: string, idempotencyKey: string): RedemptionToRecord => ({
      id: uuidV7(),
      idempotencyKey,
      customerId,
      points: 1n,
      rewardReference: 'MUG',
      actor: 'test',
      payloadHash: randomBytes(32),
    });
    const all = await plansOfEighthCall(
      REDEEM_POINTS_BATCH_SQL,
      (call) => redeemPointsBatchValues([redemption(funded[0], `plan-r-${call}`), redemption(funded[1], `plan-s-${call}`)]),
      [
        [1, 'recorded'],
        [2, 'recorded'],
      ],
    );
    // The stored keys, the customers, their balances, the answers' rows and cancellations, the inserts and the
    // triggers they fire (references, the balances, the deferred entries check).
    expect(all).toMatch(/redemptions_idempotency_key on redemptions/);
    expect(all).toMatch(/customers_pkey/);
    expect(all).toMatch(/account_balances_pkey/);
    expect(all).toMatch(/redemption_cancellations_pkey/);
    expect(all).toMatch(/Insert on redemptions/);
    expect(all).toMatch(/Insert on ledger_transactions/);
    expect(all).toMatch(/Insert on ledger_entries/);
    expect(all).toMatch(/accounts_pkey/);
    expect(all).toMatch(/ledger_entries_transaction_idx/);
    expect(all).not.toMatch(/Seq Scan/);
    expect(scansWithoutKey(all)).toEqual([]);
  });
});
