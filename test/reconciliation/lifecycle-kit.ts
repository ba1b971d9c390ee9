import { randomUUID } from 'node:crypto';
import { Fixtures, recordPurchase } from '../support/fixtures';
import { TestApp } from '../support/test-app';
import { shiftBalance } from './drift-kit';

/**
 * Helpers for the points lifecycle in tests (not a test file itself): the movements are made by calling the SQL
 * functions of migrations/0010_points_lifecycle.sql as the database owner, the way the service's repositories call
 * them, so these tests do not depend on the GraphQL mutations; and the drift tests' ways of damaging them.
 */

export const PROGRAM = {
  liability: '00000000-0000-0000-0000-00000000a001',
  returns: '00000000-0000-0000-0000-00000000a002',
  redemptions: '00000000-0000-0000-0000-00000000a003',
  cancellations: '00000000-0000-0000-0000-00000000a004',
  adjustments: '00000000-0000-0000-0000-00000000a005',
} as const;

interface Outcome {
  outcome: string;
  id: string;
}

function recorded<T extends Outcome>(rows: T[], what: string): T {
  if (rows[0]?.outcome !== 'recorded') throw new Error(`${what} not recorded: ${JSON.stringify(rows[0])}`);
  return rows[0];
}

/** A return of `quantity` units of the purchase the retailer recorded as `purchaseTransactionId`. */
export async function recordReturn(
  t: TestApp,
  retailerId: string,
  purchaseTransactionId: string,
  quantity: number,
): Promise<{ id: string; pointsReversed: bigint; transactionId: string }> {
  const transactionId = `return-${randomUUID()}`;
  const { rows } = await t.sql.query<Outcome & { points_reversed: string }>(
    `select outcome, id::text, points_reversed::text
       from record_return(gen_random_uuid(), $1, $2, $3, $4, null, sha256(convert_to($2, 'UTF8')))`,
    [retailerId, transactionId, purchaseTransactionId, quantity],
  );
  const r = recorded(rows, 'return');
  return { id: r.id, pointsReversed: BigInt(r.points_reversed), transactionId };
}

export async function redeem(t: TestApp, customerId: string, points: bigint, actor = 'admin'): Promise<string> {
  const key = `redeem-${randomUUID()}`;
  const { rows } = await t.sql.query<Outcome>(
    `select outcome, id::text from redeem_points(gen_random_uuid(), $1, $2, $3, 'mug', $4, sha256(convert_to($1, 'UTF8')))`,
    [key, customerId, points.toString(), actor],
  );
  return recorded(rows, 'redemption').id;
}

export async function cancelRedemption(t: TestApp, redemptionId: string, actor = 'admin'): Promise<void> {
  const { rows } = await t.sql.query<Outcome>('select outcome, id::text from cancel_redemption($1, $2)', [redemptionId, actor]);
  recorded(rows, 'cancellation');
}

export async function adjust(t: TestApp, customerId: string, points: bigint, reason: string, actor = 'admin'): Promise<string> {
  const key = `adjust-${randomUUID()}`;
  const { rows } = await t.sql.query<Outcome>(
    `select outcome, id::text from adjust_points(gen_random_uuid(), $1, $2, $3, $4, $5, sha256(convert_to($1, 'UTF8')))`,
    [key, customerId, points.toString(), reason, actor],
  );
  return recorded(rows, 'adjustment').id;
}

/** The ledger transaction of a movement: by return, redemption (with its kind) or adjustment id. */
export async function transactionOfMovement(
  t: TestApp,
  column: 'return_id' | 'redemption_id' | 'adjustment_id',
  id: string,
  kind?: 'redemption' | 'cancellation',
): Promise<string> {
  const { rows } = await t.sql.query<{ id: string }>(
    `select id::text from ledger_transactions where ${column} = $1 and ($2::text is null or kind = $2)`,
    [id, kind ?? null],
  );
  if (rows.length !== 1) throw new Error(`expected one ledger transaction for ${column} ${id}, found ${rows.length}`);
  return rows[0].id;
}

/** A store whose purchases earn points: what each lifecycle test starts from. */
export async function store(t: TestApp) {
  const f = new Fixtures(t);
  const retailer = await f.retailer({ name: 'Lifecycle Store' });
  /** 100 points a unit: 10.00 at 10 points per dollar. */
  const round = await f.product(1000, 'Round');
  await f.promotion({ productId: round, awardRate: '10' });
  /** 4.995 points a unit (3.33 at 1.5 points per dollar): returns meet the rounding. */
  const odd = await f.product(333, 'Odd');
  await f.promotion({ productId: odd, awardRate: '1.5' });
  /** No promotion: 0 points. */
  const plain = await f.product(250, 'Plain');
  return {
    f,
    retailer,
    products: { round, odd, plain },
    async buy(customerId: string, productId: string, quantity: number) {
      const transactionId = `sale-${randomUUID()}`;
      const r = await recordPurchase(t, retailer.token, { transactionId, customerId, productId, quantity });
      if (r.errors || !r.data) throw new Error(`purchase refused: ${JSON.stringify(r.errors)}`);
      return { id: r.data.recordPurchase.purchase.id, transactionId, points: BigInt(r.data.recordPurchase.pointsAwarded) };
    },
    /** A return of this store's purchase. */
    giveBack(purchase: { transactionId: string }, quantity: number) {
      return recordReturn(t, retailer.id, purchase.transactionId, quantity);
    },
  };
}

/**
 * One ledger with every kind of movement, recorded through the guards:
 * - Ada buys 4 Round (400 points), returns 1 (100 back), redeems 150 and 50, the 50 cancelled, is adjusted +25,
 *   and buys 2 Plain (0 points), returning 1 (a return without points): balance 175;
 * - Grace buys 3 Odd (14 points), returns 1 then 1 more (5 and 5: the cumulative formula's steps), is adjusted
 *   -2: balance 2;
 * - Linus buys 1 Round (100), redeems it all, then returns it: balance -100, explained by his return.
 */
export async function lifecycleSeed(t: TestApp) {
  const s = await store(t);
  const [ada, grace, linus] = [await s.f.customer('Ada'), await s.f.customer('Grace'), await s.f.customer('Linus')];
  const adaRound = await s.buy(ada, s.products.round, 4);
  const adaPlain = await s.buy(ada, s.products.plain, 2);
  const graceOdd = await s.buy(grace, s.products.odd, 3);
  const linusRound = await s.buy(linus, s.products.round, 1);

  const adaReturn = await s.giveBack(adaRound, 1);
  const zeroReturn = await s.giveBack(adaPlain, 1);
  const graceReturns = [await s.giveBack(graceOdd, 1), await s.giveBack(graceOdd, 1)];
  const kept = await redeem(t, ada, 150n);
  const cancelled = await redeem(t, ada, 50n);
  await cancelRedemption(t, cancelled);
  const credit = await adjust(t, ada, 25n, 'goodwill: late delivery');
  const debit = await adjust(t, grace, -2n, 'double-counted coupon');
  const linusRedemption = await redeem(t, linus, 100n);
  const linusReturn = await s.giveBack(linusRound, 1);
  return {
    ...s,
    customers: { ada, grace, linus },
    purchases: { adaRound, adaPlain, graceOdd, linusRound },
    returns: { adaReturn, zeroReturn, graceReturns, linusReturn },
    redemptions: { kept, cancelled, linusRedemption },
    adjustments: { credit, debit },
  };
}

export type LifecycleSeed = Awaited<ReturnType<typeof lifecycleSeed>>;

// ---------------------------------------------------------------------------------------------------------
// Drift, written as the database owner (with drift-kit's asOwner, or through the guards where they allow it).

export type Statement = [string, unknown[]];
type Column = 'return_id' | 'redemption_id' | 'adjustment_id';

/** A ledger transaction of a lifecycle kind with its entries, written behind the guards: balances moved by hand. */
export function postedByHand(
  kind: string,
  column: Column,
  ref: string,
  entries: Array<[string, bigint]>,
): { id: string; statements: Statement[] } {
  const id = randomUUID();
  return {
    id,
    statements: [
      [
        `insert into ledger_transactions (id, key, kind, ${column}, effective_at) values ($1, $2, $3, $4, now())`,
        // The key as every writer makes it (migration 0016 checks it): the kind and the movement it posts.
        [id, `${kind}:${ref}`, kind, ref],
      ],
      // One statement: the balance check runs per statement, on every transaction it touched.
      [
        `insert into ledger_entries (transaction_id, account_id, amount)
         select $1, x.account, x.amount from unnest($2::uuid[], $3::bigint[]) x(account, amount)`,
        [id, entries.map(([account]) => account), entries.map(([, amount]) => amount.toString())],
      ],
      ...entries.map(([account, amount]) => shiftBalance(account, amount)),
    ],
  };
}

/** The same transaction written through the guards (they allow it: only reconciliation sees it); they move the balances. */
export async function postedThroughGuards(
  t: TestApp,
  kind: string,
  column: Column,
  ref: string,
  entries: Array<[string, bigint]>,
): Promise<string> {
  const { id, statements } = postedByHand(kind, column, ref, entries);
  const client = await t.sql.connect();
  try {
    await client.query('begin');
    for (const [text, values] of statements.slice(0, 2)) await client.query(text, values);
    await client.query('commit');
  } finally {
    client.release();
  }
  return id;
}

/** Moves `delta` points from one entry of a transaction to another, and the balances with them: still balanced. */
export function moveWithin(transactionId: string, from: string, to: string, delta: bigint): Statement[] {
  return [
    ['update ledger_entries set amount = amount - $3 where transaction_id = $1 and account_id = $2', [transactionId, from, delta.toString()]],
    ['update ledger_entries set amount = amount + $3 where transaction_id = $1 and account_id = $2', [transactionId, to, delta.toString()]],
    shiftBalance(from, -delta),
    shiftBalance(to, delta),
  ];
}

/** A return row written by hand (its checks bypassed), copying another return's retailer, customer and payload. */
export function returnByHand(
  id: string,
  of: string,
  fields: { before: number; quantity: number; points: bigint; purchaseId?: string },
): Statement {
  return [
    `insert into purchase_returns (id, retailer_id, transaction_id, purchase_id, customer_id, quantity, units_returned_before,
                                   points_reversed, returned_at, payload_hash)
     select $1, retailer_id, 'by-hand-' || gen_random_uuid(), coalesce($6::uuid, purchase_id), customer_id, $3, $4, $5,
            returned_at, payload_hash
       from purchase_returns where id = $2`,
    [id, of, fields.quantity, fields.before, fields.points.toString(), fields.purchaseId ?? null],
  ];
}
