import { randomBytes } from 'node:crypto';
import { uuidV7 } from '../../src/common/ids/uuid-v7';
import { purchasePostings, purchaseTransactionKey } from '../../src/ledger/ledger';
import { PurchaseToRecord, RECORD_PURCHASES_SQL, recordPurchasesValues } from '../../src/purchases/purchases.repository';
import { Fixtures } from '../support/fixtures';
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
 * index read in some useful order, cached then would be kept while the tables grow to millions of rows.
 */
describe('plans of the purchase path', () => {
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
    const id = uuidV7();
    const points = 10n;
    return {
      id,
      retailerId,
      transactionId,
      customerId,
      productId,
      quantity: 1,
      unitPriceCents: 1000,
      purchasedAt: new Date().toISOString(),
      payloadHash: randomBytes(32),
      promotionId,
      awardRate: '1',
      points,
      ledgerKey: purchaseTransactionKey(id),
      postings: purchasePostings(customerId, points),
      catalogSeq: 0n,
    };
  }

  it('looks up every row by a key, on a connection that planned after ANALYZE of nearly empty tables', async () => {
    await t.sql.query('analyze customers, accounts, purchases, ledger_transactions, ledger_entries, account_balances');
    const client = await t.sql.connect();
    const plans: string[] = [];
    const keep = (notice: { message?: string }): void => {
      plans.push(notice.message ?? '');
    };
    try {
      await client.query(`load 'auto_explain'`);
      await client.query(`set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on;
                          set auto_explain.log_triggers = on; set auto_explain.log_level = notice`);
      // Beyond the five calls after which PL/pgSQL would otherwise consider a cached generic plan.
      for (let call = 1; call <= 8; call++) {
        if (call === 8) client.on('notice', keep);
        const values = recordPurchasesValues([purchase(customers[call % 2], `plan-${call}`)]);
        const { rows } = await client.query<{ item: number; outcome: string }>(RECORD_PURCHASES_SQL, values);
        expect(rows.map((r) => [r.item, r.outcome])).toEqual([[1, 'recorded']]);
      }
    } finally {
      client.off('notice', keep);
      client.release(true);
    }
    const all = plans.join('\n');
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
});
