import { Fixtures, ledgerSnapshot, recordPurchase } from '../support/fixtures';
import { ADMIN_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { expectedPoints, ledgerTransactionsOf, txn } from './helpers';

describe('concurrent requests', () => {
  let t: TestApp;
  let f: Fixtures;
  let pos: { id: string; token: string };
  let productId: string;
  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    pos = await f.retailer();
    productId = await f.product(1999);
    await f.promotion({ productId, awardRate: '1.5' });
  });
  afterAll(() => t.close());

  const sumOfEntries = async (accountId: string) =>
    BigInt((await t.sql.query('select coalesce(sum(amount), 0)::text as s from ledger_entries where account_id = $1', [accountId])).rows[0].s);

  it('200 identical submissions credit exactly once: one recorded, 199 replays, no errors', async () => {
    const customerId = await f.customer();
    const transactionId = txn('burst');
    const input = { transactionId, customerId, productId, quantity: 7, purchasedAt: new Date(Date.now() - 60_000).toISOString() };
    const before = await ledgerSnapshot(t);

    const results = await Promise.all(Array.from({ length: 200 }, () => recordPurchase(t, pos.token, input)));

    expect(results.filter((r) => r.errors).map((r) => r.errors)).toEqual([]);
    const outcomes = results.map((r) => r.data!.recordPurchase);
    expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    expect(outcomes.filter((o) => o.replayed)).toHaveLength(199);
    const points = expectedPoints(7, 1999, 15_000n); // floor(13993 x 1.5 / 100) = 209
    expect(points).toBe(209n);
    const winner = outcomes.find((o) => !o.replayed)!;
    for (const o of outcomes) {
      expect(o.purchase).toEqual(winner.purchase);
      expect(o.pointsAwarded).toBe(points.toString());
      expect(o.customerBalance).toBe(points.toString());
    }
    expect(await f.balance(customerId)).toBe(points);
    expect(await sumOfEntries(customerId)).toBe(points);
    expect(await ledgerTransactionsOf(t, pos.id, transactionId)).toBe(1);
    const after = await ledgerSnapshot(t);
    expect(after).toEqual({ ...before, purchases: before.purchases + 1, transactions: before.transactions + 1, entries: before.entries + 2 });
    expect(after.balanceTotal).toBe(0n);
  });

  it('200 identical submissions each at two retailers: one purchase per retailer', async () => {
    const customerId = await f.customer();
    const other = await f.retailer({ name: 'Other' });
    const input = { transactionId: txn('pair'), customerId, productId, quantity: 1 };
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => recordPurchase(t, i % 2 ? pos.token : other.token, { ...input, unitPriceCents: 1000 })),
    );
    expect(results.filter((r) => r.errors).map((r) => r.errors)).toEqual([]);
    expect(results.filter((r) => !r.data!.recordPurchase.replayed)).toHaveLength(2);
    expect(await f.balance(customerId)).toBe(30n);
  });

  it('200 different purchases for one customer: the exact balance, which is the sum of its entries', async () => {
    const customerId = await f.customer();
    const inputs = Array.from({ length: 200 }, (_, i) => ({
      transactionId: txn(`many-${i}`),
      customerId,
      productId,
      quantity: (i % 9) + 1,
      unitPriceCents: 100 + i * 37,
    }));
    const expected = inputs.map((p) => expectedPoints(p.quantity, p.unitPriceCents, 15_000n));
    const total = expected.reduce((a, b) => a + b, 0n);
    const before = await ledgerSnapshot(t);

    const results = await Promise.all(inputs.map((input) => recordPurchase(t, pos.token, input)));

    expect(results.filter((r) => r.errors).map((r) => r.errors)).toEqual([]);
    const outcomes = results.map((r) => r.data!.recordPurchase);
    expect(outcomes.every((o) => !o.replayed)).toBe(true);
    expect(outcomes.map((o) => BigInt(o.pointsAwarded))).toEqual(expected);
    expect(await f.balance(customerId)).toBe(total);
    expect(await sumOfEntries(customerId)).toBe(total);
    const after = await ledgerSnapshot(t);
    expect(after.purchases).toBe(before.purchases + 200);
    expect(after.transactions - before.transactions).toBe(expected.filter((p) => p > 0n).length);
    expect(after.balanceTotal).toBe(0n);

    // Each reported balance is the balance right after that purchase: in the order the credits were applied,
    // every balance is the one before it plus that purchase's points, ending at the total.
    const applied = outcomes.filter((o) => o.pointsAwarded !== '0').sort((a, b) => Number(BigInt(a.customerBalance) - BigInt(b.customerBalance)));
    let running = 0n;
    for (const o of applied) {
      running += BigInt(o.pointsAwarded);
      expect(o.customerBalance).toBe(running.toString());
    }
    expect(running).toBe(total);
  });

  it('balances recomputed from the entries equal the materialized balances, for every account', async () => {
    // Entries of this test's own, concurrent ones, whatever ran before it.
    const customerIds = await Promise.all(Array.from({ length: 3 }, () => f.customer()));
    const recorded = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        recordPurchase(t, pos.token, { transactionId: txn(`recompute-${i}`), customerId: customerIds[i % 3], productId, quantity: (i % 4) + 1 }),
      ),
    );
    expect(recorded.filter((r) => r.errors).map((r) => r.errors)).toEqual([]);
    const { rows } = await t.sql.query(`
      select a.id, coalesce((select sum(amount) from ledger_entries e where e.account_id = a.id), 0)::text as from_entries,
             coalesce((select sum(balance) from account_balances b where b.account_id = a.id), 0)::text as materialized
        from accounts a`);
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) expect(row.materialized).toBe(row.from_entries);
    expect(rows.some((row) => row.from_entries !== '0')).toBe(true);
  });

  it('50 concurrent revisions of one series produce versions 1..50 without gaps or errors', async () => {
    const revised = await f.product(1000);
    const series = await f.promotion({ productId: revised, awardRate: '1' });
    const query = 'mutation($id: ID!, $input: RevisePromotionInput!) { revisePromotion(id: $id, input: $input) { id seriesId version awardRate } }';

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.gql<{ revisePromotion: { id: string; seriesId: string; version: number; awardRate: string } }>(ADMIN_TOKEN, query, {
          id: series.id,
          input: { awardRate: String(i + 2) },
        }),
      ),
    );

    expect(results.filter((r) => r.errors).map((r) => r.errors)).toEqual([]);
    const versions = results.map((r) => r.data!.revisePromotion);
    expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(versions.map((v) => v.seriesId))).toEqual(new Set([series.id]));
    const { rows } = await t.sql.query('select version from promotions where series_id = $1 order by version', [series.id]);
    expect(rows.map((row) => row.version)).toEqual(Array.from({ length: 51 }, (_, i) => i));

    // The latest version is the series' rule from now on.
    const latest = versions.find((v) => v.version === 50)!;
    const customerId = await f.customer();
    const r = await recordPurchase(t, pos.token, { transactionId: txn('after-revisions'), customerId, productId: revised, quantity: 1 });
    expect(r.errors).toBeUndefined();
    expect(r.data?.recordPurchase.purchase).toMatchObject({ promotionId: latest.id, awardRate: latest.awardRate });
  });
});
