import { createHash, randomUUID } from 'node:crypto';
import { Fixtures, recordPurchase } from '../support/fixtures';
import { GraphqlResponse, TestApp } from '../support/test-app';

/** Helpers shared by the returns tests (not a test file itself). */

export const RETURNS_ACCOUNT = '00000000-0000-0000-0000-00000000a002';

export const RECORD_RETURN = `mutation($input: RecordReturnInput!) {
  recordReturn(input: $input) {
    pointsReversed customerBalance replayed
    return { id transactionId retailerId purchaseId customerId quantity pointsReversed returnedAt recordedAt }
  }
}`;

export interface ReturnData {
  recordReturn: {
    pointsReversed: string;
    customerBalance: string;
    replayed: boolean;
    return: {
      id: string;
      transactionId: string;
      retailerId: string;
      purchaseId: string;
      customerId: string;
      quantity: number;
      pointsReversed: string;
      returnedAt: string;
      recordedAt: string;
    };
  };
}

export function recordReturn(t: TestApp, token: string | null, input: Record<string, unknown>): Promise<GraphqlResponse<ReturnData>> {
  return t.gql<ReturnData>(token, RECORD_RETURN, { input });
}

/** A return that must succeed: its result, or a test failure naming the errors. */
export async function mustReturn(t: TestApp, token: string, input: Record<string, unknown>): Promise<ReturnData['recordReturn']> {
  const r = await recordReturn(t, token, input);
  if (r.errors?.length || !r.data) throw new Error(`recordReturn failed: ${JSON.stringify(r.errors)}`);
  return r.data.recordReturn;
}

/** A key no other test uses. */
export function key(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

export interface BoughtPurchase {
  id: string;
  transactionId: string;
  customerId: string;
  pointsEarned: bigint;
  purchasedAt: string;
}

/** A POS with a product on promotion; each purchase goes to a customer of its own unless one is given. */
export class ReturnsShop {
  private constructor(
    private readonly t: TestApp,
    readonly f: Fixtures,
    readonly pos: { id: string; token: string },
    readonly productId: string,
  ) {}

  /** `awardRate` null: a product without promotion, whose purchases earn 0 points. */
  static async open(t: TestApp, awardRate: string | null = '1.5', priceCents = 333): Promise<ReturnsShop> {
    const f = new Fixtures(t);
    const pos = await f.retailer();
    const productId = await f.product(priceCents);
    if (awardRate !== null) await f.promotion({ productId, awardRate });
    return new ReturnsShop(t, f, pos, productId);
  }

  async buy(quantity: number, options: { customerId?: string; transactionId?: string; purchasedAt?: string } = {}): Promise<BoughtPurchase> {
    const customerId = options.customerId ?? (await this.f.customer());
    const transactionId = options.transactionId ?? key('sale');
    // An hour ago by default, so that a return may be stamped a little in the past.
    const purchasedAt = options.purchasedAt ?? isoFromNow(-3600_000);
    const input = { transactionId, customerId, productId: this.productId, quantity, purchasedAt };
    const r = await recordPurchase(this.t, this.pos.token, input);
    if (r.errors?.length || !r.data) throw new Error(`recordPurchase failed: ${JSON.stringify(r.errors)}`);
    const p = r.data.recordPurchase.purchase;
    return { id: p.id, transactionId, customerId, pointsEarned: BigInt(p.pointsEarned), purchasedAt: p.purchasedAt };
  }
}

/** Row counts of everything a return may write: a refused or replayed return must leave them all as they were. */
export async function returnTables(t: TestApp) {
  const { rows } = await t.sql.query<{ returns: string; transactions: string; entries: string; total: string }>(`
    select (select count(*) from purchase_returns)::text as returns,
           (select count(*) from ledger_transactions)::text as transactions,
           (select count(*) from ledger_entries)::text as entries,
           (select coalesce(sum(balance), 0) from account_balances)::text as total`);
  return {
    returns: Number(rows[0].returns),
    transactions: Number(rows[0].transactions),
    entries: Number(rows[0].entries),
    balanceTotal: BigInt(rows[0].total),
  };
}

/** The ledger transactions that reference a return, with their entries (amounts as bigint). */
export async function ledgerOfReturn(t: TestApp, returnId: string) {
  const { rows } = await t.sql.query<{ id: string; key: string; kind: string; return_id: string; purchase_id: string | null; effective_at: Date }>(
    'select id, key, kind, return_id, purchase_id, effective_at from ledger_transactions where return_id = $1',
    [returnId],
  );
  return Promise.all(
    rows.map(async (row) => {
      const entries = await t.sql.query<{ account_id: string; amount: string }>(
        'select account_id, amount::text from ledger_entries where transaction_id = $1 order by amount',
        [row.id],
      );
      return { ...row, entries: entries.rows.map((e) => ({ accountId: e.account_id, amount: BigInt(e.amount) })) };
    }),
  );
}

/**
 * Spends a customer's points the way a redemption does, through the database's own redeem_points() as the
 * schema's owner: these tests need points spent before a return, not the redemptions API.
 */
export async function spendPoints(t: TestApp, customerId: string, points: bigint): Promise<void> {
  const idempotencyKey = key('spend');
  const { rows } = await t.sql.query<{ outcome: string }>(
    "select outcome from redeem_points($1::uuid, $2, $3::uuid, $4::bigint, 'returns test reward', 'returns test', $5::bytea)",
    [randomUUID(), idempotencyKey, customerId, points.toString(), createHash('sha256').update(idempotencyKey).digest()],
  );
  if (rows[0]?.outcome !== 'recorded') throw new Error(`spending ${points} points failed: ${rows[0]?.outcome}`);
}

/** An ISO instant `ms` milliseconds from now (negative: in the past). */
export function isoFromNow(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}
