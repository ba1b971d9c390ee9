import { Fixtures } from '../support/fixtures';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { refusal } from '../integration/helpers';
import {
  isoFromNow,
  key,
  ledgerOfReturn,
  mustReturn,
  recordReturn,
  RETURNS_ACCOUNT,
  ReturnsShop,
  returnTables,
  spendPoints,
} from './returns-kit';

/** RULES.md "The points lifecycle", Returns. The shop sells at 333 cents with 1.5 points per dollar. */
describe('recordReturn', () => {
  let t: TestApp;
  let f: Fixtures;
  let shop: ReturnsShop;
  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    shop = await ReturnsShop.open(t, '1.5', 333);
  });
  afterAll(() => t.close());

  const returnOf = (purchaseTransactionId: string, quantity: number, extra: Record<string, unknown> = {}) => ({
    transactionId: key('return'),
    purchaseTransactionId,
    quantity,
    ...extra,
  });

  it('takes back 5 + 5 + 4 for 1 + 1 + 1 units of 3 x 333 cents at 1.5: exactly the 14 earned', async () => {
    const p = await shop.buy(3);
    expect(p.pointsEarned).toBe(14n); // floor(999 x 1.5 / 100) = floor(14.985); one unit alone earns floor(4.995) = 4
    const steps = [];
    for (const expected of [
      { points: '5', balance: '9' },
      { points: '5', balance: '4' },
      { points: '4', balance: '0' },
    ]) {
      const input = returnOf(p.transactionId, 1);
      const r = await mustReturn(t, shop.pos.token, input);
      expect({ points: r.pointsReversed, balance: r.customerBalance, replayed: r.replayed }).toEqual({ ...expected, replayed: false });
      expect(r.return).toMatchObject({
        transactionId: input.transactionId,
        retailerId: shop.pos.id,
        purchaseId: p.id,
        customerId: p.customerId,
        quantity: 1,
        pointsReversed: expected.points,
      });
      steps.push(BigInt(r.pointsReversed));
    }
    expect(steps.reduce((a, b) => a + b)).toBe(p.pointsEarned);
    expect(await f.balance(p.customerId)).toBe(0n);
  });

  it('takes back 10 then 4 for 2 then 1 units, and 14 for the 3 units at once', async () => {
    const p = await shop.buy(3);
    expect((await mustReturn(t, shop.pos.token, returnOf(p.transactionId, 2))).pointsReversed).toBe('10');
    const last = await mustReturn(t, shop.pos.token, returnOf(p.transactionId, 1));
    expect([last.pointsReversed, last.customerBalance]).toEqual(['4', '0']);

    const whole = await shop.buy(3);
    const all = await mustReturn(t, shop.pos.token, returnOf(whole.transactionId, 3));
    expect([all.pointsReversed, all.customerBalance, all.return.quantity]).toEqual(['14', '0', 3]);
  });

  it('posts a return as a ledger transaction of its own: kind return, the customer debited, program:returns credited', async () => {
    const p = await shop.buy(3);
    const r = await mustReturn(t, shop.pos.token, returnOf(p.transactionId, 1, { returnedAt: isoFromNow(-1000) }));
    const ledger = await ledgerOfReturn(t, r.return.id);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ kind: 'return', return_id: r.return.id, purchase_id: null, key: `return:${r.return.id}` });
    expect(ledger[0].effective_at.toISOString()).toBe(r.return.returnedAt);
    expect(ledger[0].entries).toEqual([
      { accountId: p.customerId, amount: -5n },
      { accountId: RETURNS_ACCOUNT, amount: 5n },
    ]);
    const { rows } = await t.sql.query('select units_returned_before, points_reversed::text, length(payload_hash) as hash from purchase_returns where id = $1', [
      r.return.id,
    ]);
    expect(rows).toEqual([{ units_returned_before: 0, points_reversed: '5', hash: 32 }]);
  });

  it('records the return of a purchase that earned 0 points with 0 points and no ledger transaction', async () => {
    const free = await ReturnsShop.open(t, null, 500);
    const p = await free.buy(2);
    expect(p.pointsEarned).toBe(0n);
    const before = await returnTables(t);
    const input = returnOf(p.transactionId, 2);
    const r = await mustReturn(t, free.pos.token, input);
    expect([r.pointsReversed, r.customerBalance, r.replayed, r.return.pointsReversed]).toEqual(['0', '0', false, '0']);
    expect(await returnTables(t)).toEqual({ ...before, returns: before.returns + 1 });
    expect(await ledgerOfReturn(t, r.return.id)).toEqual([]);
    expect((await mustReturn(t, free.pos.token, input)).replayed).toBe(true);
  });

  it('replays the same return with its original figures and the current balance, writing nothing', async () => {
    const p = await shop.buy(3);
    const returnedAt = isoFromNow(-60_000);
    const input = returnOf(p.transactionId, 2, { returnedAt });
    const first = await mustReturn(t, shop.pos.token, input);
    expect([first.pointsReversed, first.customerBalance, first.replayed]).toEqual(['10', '4', false]);
    const before = await returnTables(t);

    const again = await mustReturn(t, shop.pos.token, input);
    expect(again).toEqual({ ...first, replayed: true });
    // The same instant written with another offset is the same payload.
    const shifted = new Date(Date.parse(returnedAt) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect(await mustReturn(t, shop.pos.token, { ...input, returnedAt: shifted })).toEqual({ ...first, replayed: true });
    expect(await returnTables(t)).toEqual(before);

    // A replay after the customer's balance moved shows the balance as it is now.
    await mustReturn(t, shop.pos.token, returnOf(p.transactionId, 1));
    expect(await mustReturn(t, shop.pos.token, input)).toEqual({ ...first, customerBalance: '0', replayed: true });
  });

  it('tells a left-out returnedAt from one sent with the time it defaulted to', async () => {
    const p = await shop.buy(3);
    const input = returnOf(p.transactionId, 1);
    const first = await mustReturn(t, shop.pos.token, input);
    expect((await mustReturn(t, shop.pos.token, input)).replayed).toBe(true);
    const sent = await recordReturn(t, shop.pos.token, { ...input, returnedAt: first.return.returnedAt });
    expect(refusal(sent)).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('refuses the same transactionId with another payload with IDEMPOTENCY_CONFLICT, writing nothing', async () => {
    const p = await shop.buy(3);
    const other = await shop.buy(3, { customerId: p.customerId });
    const input = returnOf(p.transactionId, 1, { returnedAt: isoFromNow(-5000) });
    await mustReturn(t, shop.pos.token, input);
    const before = await returnTables(t);
    const balance = await f.balance(p.customerId);
    for (const change of [
      { quantity: 2 },
      { purchaseTransactionId: other.transactionId },
      { purchaseTransactionId: key('unknown-sale') },
      { returnedAt: isoFromNow(-4000) },
      { returnedAt: null },
    ]) {
      const r = await recordReturn(t, shop.pos.token, { ...input, ...change });
      expect({ change, code: refusal(r) }).toEqual({ change, code: 'IDEMPOTENCY_CONFLICT' });
    }
    expect(await returnTables(t)).toEqual(before);
    expect(await f.balance(p.customerId)).toBe(balance);
  });

  it('lets a refused return leave its key free for a valid one', async () => {
    const p = await shop.buy(3);
    const transactionId = key('return');
    const before = await returnTables(t);
    const refused = [
      [{ transactionId, purchaseTransactionId: p.transactionId, quantity: 4 }, 'BAD_USER_INPUT'],
      [{ transactionId, purchaseTransactionId: key('unknown-sale'), quantity: 1 }, 'NOT_FOUND'],
      [{ transactionId, purchaseTransactionId: p.transactionId, quantity: 1, returnedAt: '2001-01-01T00:00:00Z' }, 'BAD_USER_INPUT'],
    ] as const;
    for (const [input, code] of refused) expect(refusal(await recordReturn(t, shop.pos.token, input))).toBe(code);
    expect(await returnTables(t)).toEqual(before);

    const r = await mustReturn(t, shop.pos.token, { transactionId, purchaseTransactionId: p.transactionId, quantity: 3 });
    expect([r.replayed, r.pointsReversed, r.customerBalance]).toEqual([false, '14', '0']);
  });

  it('refuses more units than are left with BAD_USER_INPUT, saying how many are left', async () => {
    const p = await shop.buy(3);
    const before = await returnTables(t);
    const over = await recordReturn(t, shop.pos.token, returnOf(p.transactionId, 4));
    expect(refusal(over)).toBe('BAD_USER_INPUT');
    expect(over.errors?.[0].message).toBe('Only 3 unit(s) of this purchase are left to return');
    expect(await returnTables(t)).toEqual(before);

    await mustReturn(t, shop.pos.token, returnOf(p.transactionId, 2));
    const twoOfOne = await recordReturn(t, shop.pos.token, returnOf(p.transactionId, 2));
    expect(refusal(twoOfOne)).toBe('BAD_USER_INPUT');
    expect(twoOfOne.errors?.[0].message).toBe('Only 1 unit(s) of this purchase are left to return');

    await mustReturn(t, shop.pos.token, returnOf(p.transactionId, 1));
    const none = await recordReturn(t, shop.pos.token, returnOf(p.transactionId, 1));
    expect(refusal(none)).toBe('BAD_USER_INPUT');
    expect(none.errors?.[0].message).toBe('Every unit of this purchase was already returned');
    expect(await f.balance(p.customerId)).toBe(0n);
  });

  it.each<[string, Record<string, unknown>]>([
    ['quantity 0', { quantity: 0 }],
    ['a negative quantity', { quantity: -1 }],
    ['quantity 10001', { quantity: 10_001 }],
    ['an empty transactionId', { transactionId: '' }],
    ['a transactionId of 129 characters', { transactionId: 'r'.repeat(129) }],
    ['a purchaseTransactionId with a control character', { purchaseTransactionId: 'sale\u0007' }],
    ['a returnedAt without an offset', { returnedAt: '2026-01-01T10:00:00' }],
  ])('refuses %s with BAD_USER_INPUT, writing nothing', async (_case, change) => {
    const p = await shop.buy(3);
    const before = await returnTables(t);
    expect(refusal(await recordReturn(t, shop.pos.token, { ...returnOf(p.transactionId, 1), ...change }))).toBe('BAD_USER_INPUT');
    expect(await returnTables(t)).toEqual(before);
  });

  it('refuses a returnedAt before the purchase, to the microsecond, and accepts the purchase instant itself', async () => {
    const purchasedAt = isoFromNow(-3600_000).replace('Z', '456Z'); // microseconds: ...sss456Z
    const p = await shop.buy(3, { purchasedAt });
    const microBefore = purchasedAt.replace('456Z', '455Z');
    const before = await returnTables(t);
    const early = await recordReturn(t, shop.pos.token, returnOf(p.transactionId, 1, { returnedAt: microBefore }));
    expect(refusal(early)).toBe('BAD_USER_INPUT');
    expect(early.errors?.[0].message).toMatch(/^returnedAt is before the purchase/);
    expect(await returnTables(t)).toEqual(before);

    const onTime = await mustReturn(t, shop.pos.token, returnOf(p.transactionId, 1, { returnedAt: purchasedAt }));
    expect(onTime.pointsReversed).toBe('5');
    const { rows } = await t.sql.query("select to_char(returned_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') as at from purchase_returns where id = $1", [
      onTime.return.id,
    ]);
    expect(`${rows[0].at}Z`).toBe(purchasedAt);
  });

  it('refuses a returnedAt more than 5 minutes in the future and accepts one 4 minutes ahead', async () => {
    const p = await shop.buy(3);
    const before = await returnTables(t);
    expect(refusal(await recordReturn(t, shop.pos.token, returnOf(p.transactionId, 1, { returnedAt: isoFromNow(6 * 60_000) })))).toBe(
      'BAD_USER_INPUT',
    );
    expect(await returnTables(t)).toEqual(before);
    const ahead = await mustReturn(t, shop.pos.token, returnOf(p.transactionId, 1, { returnedAt: isoFromNow(4 * 60_000) }));
    expect(ahead.pointsReversed).toBe('5');
  });

  it("answers NOT_FOUND for another retailer's purchase and for an unknown one, and returns only the retailer's own", async () => {
    const neighbour = await ReturnsShop.open(t, '1.5', 333);
    const mine = await shop.buy(3);
    const before = await returnTables(t);
    for (const purchaseTransactionId of [mine.transactionId, key('unknown-sale')]) {
      const r = await recordReturn(t, neighbour.pos.token, returnOf(purchaseTransactionId, 1));
      expect(refusal(r)).toBe('NOT_FOUND');
    }
    expect(await returnTables(t)).toEqual(before);

    // The neighbour's own sale under the same transactionId is the one its return takes back.
    const theirs = await neighbour.buy(1, { transactionId: mine.transactionId });
    const r = await mustReturn(t, neighbour.pos.token, returnOf(mine.transactionId, 1));
    expect([r.return.purchaseId, r.return.customerId, r.return.retailerId, r.pointsReversed]).toEqual([theirs.id, theirs.customerId, neighbour.pos.id, '4']);
    expect(await f.balance(mine.customerId)).toBe(14n);
  });

  it('may take the balance below zero when the points were spent, and later earnings pay the debt back', async () => {
    const p = await shop.buy(3);
    await spendPoints(t, p.customerId, 10n);
    expect(await f.balance(p.customerId)).toBe(4n);
    const r = await mustReturn(t, shop.pos.token, returnOf(p.transactionId, 3));
    expect([r.pointsReversed, r.customerBalance]).toEqual(['14', '-10']);
    expect(await f.balance(p.customerId)).toBe(-10n);
    await shop.buy(3, { customerId: p.customerId });
    expect(await f.balance(p.customerId)).toBe(4n);
  });

  it.each<[string, string, string | null]>([
    ['an ADMIN token', 'FORBIDDEN', ADMIN_TOKEN],
    ['an AUDITOR token', 'FORBIDDEN', AUDITOR_TOKEN],
    ['no token', 'UNAUTHENTICATED', null],
    ['an unknown token', 'UNAUTHENTICATED', 'not-a-token-of-anyone-0123456789'],
  ])('refuses %s with %s, before the input rules, writing nothing', async (_who, code, token) => {
    const p = await shop.buy(3);
    const before = await returnTables(t);
    expect(refusal(await recordReturn(t, token, returnOf(p.transactionId, 1)))).toBe(code);
    expect(refusal(await recordReturn(t, token, returnOf(p.transactionId, 0)))).toBe(code);
    expect(await returnTables(t)).toEqual(before);
  });

  it('keeps the ledger balanced: program:returns holds exactly what the returns took back', async () => {
    const p = await shop.buy(3);
    await mustReturn(t, shop.pos.token, returnOf(p.transactionId, 1));
    const { rows } = await t.sql.query<{ account: string; reversed: string; total: string }>(`
      select (select coalesce(sum(balance), 0) from account_balances where account_id = $1)::text as account,
             (select coalesce(sum(points_reversed), 0) from purchase_returns)::text as reversed,
             (select coalesce(sum(balance), 0) from account_balances)::text as total`, [RETURNS_ACCOUNT]);
    expect(BigInt(rows[0].account)).toBeGreaterThanOrEqual(5n);
    expect(rows[0].account).toBe(rows[0].reversed);
    expect(rows[0].total).toBe('0');
  });
});
