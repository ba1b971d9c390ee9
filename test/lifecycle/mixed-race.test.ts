import { randomUUID } from 'node:crypto';
import { errorCode, Fixtures, recordPurchase, RecordPurchaseData } from '../support/fixtures';
import { GraphqlResponse, startTestApp, TestApp } from '../support/test-app';
import { adjustPoints, redeemPoints, recordReturn, trialBalance } from '../property/lifecycle-api';

/**
 * Every kind of movement of one customer at once: purchases, returns of earlier purchases, redemptions and
 * adjustments of both signs race for one balance. Whatever order they commit in, the balance must be exactly
 * what the responses add up to, no redemption or debit may leave it below zero, and the only refusal allowed is
 * INSUFFICIENT_POINTS for a redemption or a debit.
 *
 * Numbers: 333 cents a unit at 1.5 points per dollar earn floor(q x 4.995) points. The opening balance (10 sales
 * of 4 to 13 units, 415 points, and a 500 credit) covers the first redemption whatever ran before it (the returns
 * and debits take at most 440 of it), and the redemptions ask for more than the balance could ever reach (1,635
 * against at most 1,595), so both outcomes happen.
 */
describe('purchases, returns, redemptions and adjustments of one customer, all at once', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const pointsOf = (units: number) => (BigInt(units) * 333n * 15n) / 1000n;
  const data = <T>(r: GraphqlResponse<T>): T => {
    expect(r.errors).toBeUndefined();
    return r.data!;
  };

  it('ends at exactly the sum of what the responses recorded, never overdrawn but by returns', async () => {
    const f = new Fixtures(t);
    const shop = await f.retailer({ name: 'Race Shop' });
    const customerId = await f.customer('Racing', 'Customer');
    const productId = await f.product(333);
    await f.promotion({ productId, awardRate: '1.5' });
    const run = randomUUID().slice(0, 8);
    const buy = (transactionId: string, quantity: number) => recordPurchase(t, shop.token, { transactionId, customerId, productId, quantity });

    // The opening balance: sales that the race then returns in part, and a credit.
    const sales: Array<{ transactionId: string; quantity: number }> = [];
    let opening = 0n;
    for (let i = 0; i < 10; i++) {
      const sale = { transactionId: `${run}-opening-${i}`, quantity: 4 + i };
      const out = data(await buy(sale.transactionId, sale.quantity)).recordPurchase;
      expect(out.pointsAwarded).toBe(pointsOf(sale.quantity).toString());
      opening += BigInt(out.pointsAwarded);
      sales.push(sale);
    }
    const credit = data(await adjustPoints(t, { idempotencyKey: `${run}-opening-credit`, customerId, points: '500', reason: 'Opening credit' }));
    opening += 500n;
    expect({ opening, balance: credit.adjustPoints.customerBalance }).toEqual({ opening: 915n, balance: '915' });

    const purchases = Array.from({ length: 40 }, (_, j) => buy(`${run}-race-${j}`, 1 + (j % 5)));
    const returns = sales.map((sale, i) =>
      recordReturn(t, shop.token, { transactionId: `${run}-return-${i}`, purchaseTransactionId: sale.transactionId, quantity: 1 + (i % 4) }),
    );
    const redemptions = Array.from({ length: 30 }, (_, k) =>
      redeemPoints(t, { idempotencyKey: `${run}-redeem-${k}`, customerId, points: String(40 + k), rewardReference: `race reward ${k}` }),
    );
    const adjustmentPoints = Array.from({ length: 10 }, (_, m) => (m % 2 === 0 ? 20n + BigInt(m) : -(30n + 7n * BigInt(m))));
    const adjustments = adjustmentPoints.map((points, m) =>
      adjustPoints(t, { idempotencyKey: `${run}-adjust-${m}`, customerId, points: points.toString(), reason: `Race adjustment ${m}` }),
    );
    const [bought, returned, redeemed, adjusted] = await Promise.all([
      Promise.all(purchases),
      Promise.all(returns),
      Promise.all(redemptions),
      Promise.all(adjustments),
    ]);

    // Purchases and returns never fail; each return takes back exactly the formula's points for its units.
    const earned = bought.reduce((sum, r: GraphqlResponse<RecordPurchaseData>) => sum + BigInt(data(r).recordPurchase.pointsAwarded), 0n);
    expect(earned).toBe(bought.reduce((sum, _, j) => sum + pointsOf(1 + (j % 5)), 0n));
    const reversed = returned.map((r) => BigInt(data(r).recordReturn.pointsReversed));
    expect(reversed).toEqual(sales.map((s, i) => pointsOf(s.quantity) - pointsOf(s.quantity - (1 + (i % 4)))));

    // Redemptions and debits either succeed, never leaving the balance below zero, or are refused for the balance.
    const outcome = <T>(r: GraphqlResponse<T>) => (r.data ? 'recorded' : errorCode(r));
    const spent = redeemed.filter((r) => r.data).map((r) => r.data!.redeemPoints);
    const made = adjusted.filter((r) => r.data).map((r) => r.data!.adjustPoints);
    expect(new Set(redeemed.map(outcome))).toEqual(new Set(['recorded', 'INSUFFICIENT_POINTS']));
    expect(adjusted.filter((_, m) => adjustmentPoints[m] > 0n).map(outcome)).toEqual(Array(5).fill('recorded'));
    for (const r of adjusted) expect(['recorded', 'INSUFFICIENT_POINTS']).toContain(outcome(r));
    expect([...spent, ...made].filter((out) => BigInt(out.customerBalance) < 0n)).toEqual([]);
    expect(spent.every((out) => !out.replayed) && made.every((out) => !out.replayed)).toBe(true);

    const redeemedPoints = spent.reduce((sum, out) => sum + BigInt(out.redemption.points), 0n);
    const adjustedPoints = made.reduce((sum, out) => sum + BigInt(out.adjustment.points), 0n);
    const returnedPoints = reversed.reduce((sum, p) => sum + p, 0n);
    const expected = opening + earned - returnedPoints - redeemedPoints + adjustedPoints;

    // The balance, the ledger entries and the trial balance all say exactly that.
    expect(await f.balance(customerId)).toBe(expected);
    const [row] = (
      await t.sql.query(
        `select (select coalesce(sum(amount), 0) from ledger_entries where account_id = $1)::text as entries,
                (select count(*) from redemptions where customer_id = $1)::int as redemptions,
                (select count(*) from points_adjustments where customer_id = $1)::int as adjustments,
                (select count(*) from purchase_returns where customer_id = $1)::int as returns`,
        [customerId],
      )
    ).rows;
    expect(row).toEqual({ entries: expected.toString(), redemptions: spent.length, adjustments: 1 + made.length, returns: 10 });
    const accounts = await trialBalance(t);
    expect({
      customer: accounts.get(`customer:${customerId}`),
      liability: accounts.get('program:liability'),
      returns: accounts.get('program:returns'),
      redemptions: accounts.get('program:redemptions'),
      adjustments: accounts.get('program:adjustments'),
    }).toEqual({
      customer: expected,
      liability: -(opening - 500n + earned),
      returns: returnedPoints,
      redemptions: redeemedPoints,
      adjustments: -(500n + adjustedPoints),
    });
  });
});
