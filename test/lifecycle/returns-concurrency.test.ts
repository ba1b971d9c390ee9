import { Fixtures } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { refusal } from '../integration/helpers';
import { key, recordReturn, ReturnsShop } from './returns-kit';

/** Returns race under the customer's lock in record_return(): units and points hold whatever the interleaving. */
describe('concurrent returns', () => {
  let t: TestApp;
  let f: Fixtures;
  let shop: ReturnsShop;
  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    shop = await ReturnsShop.open(t, '1.5', 333);
  });
  afterAll(() => t.close());

  it('20 returns of 1 unit at once against 5 units bought: exactly 5 recorded, 15 refused, pointsEarned taken back', async () => {
    const p = await shop.buy(5);
    expect(p.pointsEarned).toBe(24n); // floor(1665 x 1.5 / 100) = floor(24.975)

    const results = await Promise.all(
      Array.from({ length: 20 }, () => recordReturn(t, shop.pos.token, { transactionId: key('race'), purchaseTransactionId: p.transactionId, quantity: 1 })),
    );

    const recorded = results.filter((r) => r.data?.recordReturn).map((r) => r.data!.recordReturn);
    const refused = results.filter((r) => !r.data?.recordReturn);
    expect(recorded).toHaveLength(5);
    expect(refused.map((r) => refusal(r))).toEqual(Array(15).fill('BAD_USER_INPUT'));
    expect(recorded.every((r) => !r.replayed)).toBe(true);
    // Whatever order they won in, the cumulative formula gives 5, 5, 5, 5 and then 4.
    const points = recorded.map((r) => BigInt(r.pointsReversed)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(points).toEqual([4n, 5n, 5n, 5n, 5n]);
    expect(points.reduce((a, b) => a + b)).toBe(p.pointsEarned);
    expect(recorded.map((r) => r.customerBalance).sort()).toEqual(['0', '14', '19', '4', '9'].sort());
    expect(await f.balance(p.customerId)).toBe(0n);

    const { rows } = await t.sql.query<{ before: number; points: string; transactions: string }>(
      `select r.units_returned_before as before, r.points_reversed::text as points,
              (select count(*) from ledger_transactions lt where lt.return_id = r.id)::text as transactions
         from purchase_returns r where r.purchase_id = $1 order by r.units_returned_before`,
      [p.id],
    );
    expect(rows).toEqual([
      { before: 0, points: '5', transactions: '1' },
      { before: 1, points: '5', transactions: '1' },
      { before: 2, points: '5', transactions: '1' },
      { before: 3, points: '5', transactions: '1' },
      { before: 4, points: '4', transactions: '1' },
    ]);
  });

  it('10 identical resends at once: one recorded, nine replays of it, one row and one ledger transaction', async () => {
    const p = await shop.buy(3);
    const input = { transactionId: key('resend'), purchaseTransactionId: p.transactionId, quantity: 2, returnedAt: new Date(Date.now() - 1000).toISOString() };

    const results = await Promise.all(Array.from({ length: 10 }, () => recordReturn(t, shop.pos.token, input)));

    expect(results.filter((r) => r.errors).map((r) => r.errors)).toEqual([]);
    const outcomes = results.map((r) => r.data!.recordReturn);
    expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    expect(outcomes.filter((o) => o.replayed)).toHaveLength(9);
    const winner = outcomes.find((o) => !o.replayed)!;
    for (const o of outcomes) expect({ ...o, replayed: false }).toEqual(winner);
    expect([winner.pointsReversed, winner.customerBalance]).toEqual(['10', '4']);
    const { rows } = await t.sql.query<{ returns: string; transactions: string }>(
      `select count(*)::text as returns,
              (select count(*) from ledger_transactions lt where lt.return_id = any(array_agg(r.id)))::text as transactions
         from purchase_returns r where r.purchase_id = $1`,
      [p.id],
    );
    expect(rows[0]).toEqual({ returns: '1', transactions: '1' });
    expect(await f.balance(p.customerId)).toBe(4n);
  });
});
