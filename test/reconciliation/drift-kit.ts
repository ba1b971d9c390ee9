import { PoolClient } from 'pg';
import { RunReport } from '../../src/reconciliation/reconciliation-report';
import { ReconciliationService } from '../../src/reconciliation/reconciliation.service';
import { Fixtures, recordPurchase } from '../support/fixtures';
import { TestApp } from '../support/test-app';

/** Helpers of the reconciliation tests (not a test file itself). */

export const LIABILITY = '00000000-0000-0000-0000-00000000a001';

/** A small ledger recorded through the API: what the drift tests then damage. */
export interface Seeded {
  customers: [string, string];
  /** Purchases that earned points (each with its ledger transaction), then one that earned none. */
  purchases: Array<{ id: string; ledgerTransactionId: string; customerId: string; points: bigint }>;
  zeroPointPurchase: string;
  promotedProduct: string;
  plainProduct: string;
  promotionId: string;
}

export async function seed(t: TestApp): Promise<Seeded> {
  const f = new Fixtures(t);
  const north = await f.retailer({ name: 'North Store', region: 'north', timezone: 'America/Chicago' });
  const tokyo = await f.retailer({ name: 'Tokyo Store', timezone: 'Asia/Tokyo' });
  const customers: [string, string] = [await f.customer('Ada'), await f.customer('Grace')];
  const promotedProduct = await f.product(1000);
  const plainProduct = await f.product(250);
  const regional = await f.product(499);
  const promotion = await f.promotion({ productId: promotedProduct, awardRate: '10' });
  const everyone = await f.promotion({ productId: regional, awardRate: '1' });
  await f.promotion({ productId: regional, awardRate: '1.5', region: 'north' });

  const purchases: Seeded['purchases'] = [];
  let n = 0;
  const buy = async (token: string, customerId: string, productId: string, quantity: number) => {
    const r = await recordPurchase(t, token, { transactionId: `seed-${++n}`, customerId, productId, quantity });
    if (!r.data) throw new Error(`seed purchase failed: ${JSON.stringify(r.errors)}`);
    return r.data.recordPurchase;
  };
  for (const [token, c, p, q] of [
    [north.token, customers[0], promotedProduct, 2],
    [tokyo.token, customers[1], promotedProduct, 3],
    [north.token, customers[1], regional, 4],
    [tokyo.token, customers[0], regional, 5],
  ] as const) {
    const out = await buy(token, c, p, q);
    purchases.push({ id: out.purchase.id, ledgerTransactionId: await transactionOf(t, out.purchase.id), customerId: c, points: BigInt(out.pointsAwarded) });
  }
  // A revision after those sales: their snapshots must still be judged by the catalog they were priced with.
  await f.revise(everyone.id, { awardRate: '3' });
  const zero = await buy(tokyo.token, customers[0], plainProduct, 1);
  return { customers, purchases, zeroPointPurchase: zero.purchase.id, promotedProduct, plainProduct, promotionId: promotion.id };
}

export async function transactionOf(t: TestApp, purchaseId: string): Promise<string> {
  const { rows } = await t.sql.query<{ id: string }>('select id from ledger_transactions where purchase_id = $1', [purchaseId]);
  return rows[0].id;
}

/**
 * Statements run as the database owner the way a bad migration or a manual fix would: in one transaction, with
 * triggers (the append-only guards, the balance check, the foreign keys) bypassed for this session only.
 */
export async function asOwner(t: TestApp, ...statements: Array<string | [string, unknown[]]>): Promise<void> {
  const client: PoolClient = await t.sql.connect();
  try {
    await client.query('begin');
    await client.query('set local session_replication_role = replica');
    for (const s of statements) await (typeof s === 'string' ? client.query(s) : client.query(s[0], s[1]));
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Moves an account's materialized balance by `delta`, on one of its bucket rows, behind the guards' back. */
export function shiftBalance(accountId: string, delta: bigint): [string, unknown[]] {
  return [
    `update account_balances set balance = balance + $2
      where (account_id, bucket) = (select account_id, min(bucket) from account_balances where account_id = $1 group by 1)`,
    [accountId, delta.toString()],
  ];
}

export function reconcile(t: TestApp, options: { full?: boolean } = {}): Promise<RunReport> {
  return t.app.get(ReconciliationService).run(options);
}

/** The findings as (check, kind, example ids): what every drift test states exactly. */
export function named(report: RunReport): Array<{ check: string; kind: string; ids: string[] }> {
  return report.findings.map((f) => ({ check: f.check, kind: f.kind, ids: f.examples.map((e) => e.id) }));
}

export const sorted = (...ids: string[]) => [...ids].sort();
