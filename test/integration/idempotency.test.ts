import { Fixtures, ledgerSnapshot, recordPurchase } from '../support/fixtures';
import { ADMIN_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { ledgerTransactionsOf, refusal, txn } from './helpers';

/** A whole-second instant an hour ago, so that it can be written in any offset without losing precision. */
function anHourAgo(): Date {
  return new Date(Math.floor((Date.now() - 3_600_000) / 1000) * 1000);
}

/** The same instant written with a -08:00 offset. */
function inPacificOffset(instant: Date): string {
  return `${new Date(instant.getTime() - 8 * 3_600_000).toISOString().slice(0, 19)}-08:00`;
}

describe('idempotency per (retailer, transactionId)', () => {
  let t: TestApp;
  let f: Fixtures;
  let pos: { id: string; token: string };
  let customerId: string;
  let productId: string;
  let otherCustomerId: string;
  let otherProductId: string;
  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    pos = await f.retailer();
    customerId = await f.customer();
    otherCustomerId = await f.customer();
    productId = await f.product(1000);
    otherProductId = await f.product(1000);
    await f.promotion({ productId, awardRate: '5' });
    await f.promotion({ productId: otherProductId, awardRate: '5' });
  });
  afterAll(() => t.close());

  it('the same key with the same payload replays the original result and credits nothing again', async () => {
    // A product of this test's own: the better promotion it adds below must not reach the other tests.
    const productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '5' });
    const transactionId = txn('same');
    const input = { transactionId, customerId, productId, quantity: 2, unitPriceCents: 450, purchasedAt: anHourAgo().toISOString() };
    const first = await recordPurchase(t, pos.token, input);
    expect(first.errors).toBeUndefined();
    const original = first.data!.recordPurchase;
    expect(original).toMatchObject({ replayed: false, pointsAwarded: '45' });
    const balance = await f.balance(customerId);
    const snapshot = await ledgerSnapshot(t);

    // A better promotion from now on changes nothing for a replay: it returns the original result.
    await f.promotion({ productId, awardRate: '50', retailerId: pos.id });
    for (let i = 0; i < 3; i++) {
      const again = await recordPurchase(t, pos.token, input);
      expect(again.errors).toBeUndefined();
      expect(again.data?.recordPurchase).toEqual({ ...original, replayed: true, customerBalance: balance.toString() });
    }
    expect(await f.balance(customerId)).toBe(balance);
    expect(await ledgerSnapshot(t)).toEqual(snapshot);
    expect(await ledgerTransactionsOf(t, pos.id, transactionId)).toBe(1);
  });

  it('a replay reports the current balance, the original points', async () => {
    const key = txn('first');
    const input = { transactionId: key, customerId, productId: otherProductId, quantity: 1 };
    const first = await recordPurchase(t, pos.token, input);
    expect(first.errors).toBeUndefined();
    const later = await recordPurchase(t, pos.token, { transactionId: txn('later'), customerId, productId: otherProductId, quantity: 1 });
    expect(later.errors).toBeUndefined();
    const replay = await recordPurchase(t, pos.token, input);
    expect(replay.data?.recordPurchase).toMatchObject({ replayed: true, pointsAwarded: '50' });
    expect(replay.data?.recordPurchase.customerBalance).toBe(later.data?.recordPurchase.customerBalance);
    expect(replay.data?.recordPurchase.purchase.id).toBe(first.data?.recordPurchase.purchase.id);
  });

  describe('the same key with a different payload is IDEMPOTENCY_CONFLICT and changes nothing', () => {
    const changes: Array<[string, (base: Record<string, unknown>) => Record<string, unknown>]> = [
      ['customerId', () => ({ customerId: otherCustomerId })],
      ['productId', () => ({ productId: otherProductId })],
      ['quantity', () => ({ quantity: 3 })],
      ['unitPriceCents', () => ({ unitPriceCents: 451 })],
      ['purchasedAt', (base) => ({ purchasedAt: new Date(Date.parse(base.purchasedAt as string) + 1000).toISOString() })],
      ['purchasedAt by one microsecond', (base) => ({ purchasedAt: (base.purchasedAt as string).replace('.000Z', '.000001Z') })],
      ['unitPriceCents left out', () => ({ unitPriceCents: undefined })],
      ['purchasedAt left out', () => ({ purchasedAt: undefined })],
    ];

    it.each(changes)('%s', async (_field, change) => {
      const transactionId = txn('conflict');
      const base = { transactionId, customerId, productId, quantity: 2, unitPriceCents: 450, purchasedAt: anHourAgo().toISOString() };
      const first = await recordPurchase(t, pos.token, base);
      expect(first.errors).toBeUndefined();
      const balances = [await f.balance(customerId), await f.balance(otherCustomerId)];
      const snapshot = await ledgerSnapshot(t);

      const r = await recordPurchase(t, pos.token, { ...base, ...change(base) });
      expect(refusal(r)).toBe('IDEMPOTENCY_CONFLICT');
      expect(r.data ?? null).toBeNull();
      expect(await ledgerSnapshot(t)).toEqual(snapshot);
      expect([await f.balance(customerId), await f.balance(otherCustomerId)]).toEqual(balances);

      // The stored purchase is still the first one, and the first payload still replays.
      const stored = await t.gql<{ purchase: { id: string; quantity: number } }>(
        ADMIN_TOKEN,
        'query($r: ID!, $t: String!) { purchase(retailerId: $r, transactionId: $t) { id quantity } }',
        { r: pos.id, t: transactionId },
      );
      expect(stored.data?.purchase).toEqual({ id: first.data?.recordPurchase.purchase.id, quantity: 2 });
      const replay = await recordPurchase(t, pos.token, base);
      expect(replay.data?.recordPurchase.replayed).toBe(true);
    });
  });

  it('unitPriceCents left out differs from it sent with the list price, in both orders', async () => {
    const omitted = txn('omitted');
    const first = await recordPurchase(t, pos.token, { transactionId: omitted, customerId, productId, quantity: 1 });
    expect(first.data?.recordPurchase.purchase.unitPriceCents).toBe(1000);
    const snapshot = await ledgerSnapshot(t);
    const sent = await recordPurchase(t, pos.token, {
      transactionId: omitted,
      customerId,
      productId,
      quantity: 1,
      unitPriceCents: 1000,
      purchasedAt: first.data?.recordPurchase.purchase.purchasedAt,
    });
    expect(refusal(sent)).toBe('IDEMPOTENCY_CONFLICT');

    const given = txn('given');
    const purchasedAt = anHourAgo().toISOString();
    const firstGiven = await recordPurchase(t, pos.token, { transactionId: given, customerId, productId, quantity: 1, unitPriceCents: 1000, purchasedAt });
    expect(firstGiven.errors).toBeUndefined();
    const snapshot2 = await ledgerSnapshot(t);
    expect(snapshot2.purchases).toBe(snapshot.purchases + 1);
    const leftOut = await recordPurchase(t, pos.token, { transactionId: given, customerId, productId, quantity: 1, purchasedAt });
    expect(refusal(leftOut)).toBe('IDEMPOTENCY_CONFLICT');
    expect(await ledgerSnapshot(t)).toEqual(snapshot2);
  });

  it('purchasedAt written in two offsets naming the same instant is the same payload', async () => {
    const transactionId = txn('offsets');
    const instant = anHourAgo();
    const utc = instant.toISOString().replace('.000Z', 'Z');
    const first = await recordPurchase(t, pos.token, { transactionId, customerId, productId, quantity: 1, purchasedAt: utc });
    expect(first.errors).toBeUndefined();
    const snapshot = await ledgerSnapshot(t);
    for (const spelling of [inPacificOffset(instant), instant.toISOString(), utc.replace('Z', '+00:00'), utc.replace('Z', '.000000z')]) {
      const r = await recordPurchase(t, pos.token, { transactionId, customerId, productId, quantity: 1, purchasedAt: spelling });
      expect({ spelling, errors: r.errors }).toEqual({ spelling, errors: undefined });
      expect(r.data?.recordPurchase.replayed).toBe(true);
      expect(Date.parse(r.data!.recordPurchase.purchase.purchasedAt)).toBe(instant.getTime());
    }
    expect(await ledgerSnapshot(t)).toEqual(snapshot);
  });

  it('ids in upper case name the same customer and product: a replay', async () => {
    const transactionId = txn('case');
    const first = await recordPurchase(t, pos.token, { transactionId, customerId, productId, quantity: 1, purchasedAt: anHourAgo().toISOString() });
    expect(first.errors).toBeUndefined();
    const input = { transactionId, customerId: customerId.toUpperCase(), productId: productId.toUpperCase(), quantity: 1 };
    const r = await recordPurchase(t, pos.token, { ...input, purchasedAt: first.data?.recordPurchase.purchase.purchasedAt });
    expect(r.errors).toBeUndefined();
    expect(r.data?.recordPurchase.replayed).toBe(true);
  });

  it('transactionIds compare exactly: another case or an inner space is another key', async () => {
    const base = txn('Exact');
    const inputs = [base, base.toLowerCase(), base.replace('-', ' -')].map((transactionId) => ({ transactionId, customerId, productId, quantity: 1 }));
    for (const input of inputs) {
      const r = await recordPurchase(t, pos.token, input);
      expect({ key: input.transactionId, errors: r.errors, replayed: r.data?.recordPurchase.replayed }).toEqual({
        key: input.transactionId,
        errors: undefined,
        replayed: false,
      });
    }
  });

  it('refuses a transactionId with whitespace at either end rather than keying it apart from its trimmed twin', async () => {
    const base = txn('Edge');
    for (const transactionId of [`${base} `, ` ${base}`, `${base}\u00a0`]) {
      const r = await recordPurchase(t, pos.token, { transactionId, customerId, productId, quantity: 1 });
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('the same transactionId at two retailers is two independent purchases', async () => {
    const other = await f.retailer({ name: 'Other shop' });
    // A product of this test's own: 5 points per dollar everywhere, 50 at the first retailer alone.
    const productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '5' });
    await f.promotion({ productId, awardRate: '50', retailerId: pos.id });
    const transactionId = txn('shared');
    const before = await f.balance(otherCustomerId);
    const a = await recordPurchase(t, pos.token, { transactionId, customerId: otherCustomerId, productId, quantity: 1 });
    const b = await recordPurchase(t, other.token, { transactionId, customerId: otherCustomerId, productId, quantity: 3 });
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    // The 50 points per dollar promotion is the first retailer's alone: 5 per dollar elsewhere.
    expect(a.data?.recordPurchase).toMatchObject({ replayed: false, pointsAwarded: '500', purchase: { retailerId: pos.id } });
    expect(b.data?.recordPurchase).toMatchObject({ replayed: false, pointsAwarded: '150', purchase: { retailerId: other.id } });
    expect(a.data?.recordPurchase.purchase.id).not.toBe(b.data?.recordPurchase.purchase.id);
    expect(await f.balance(otherCustomerId)).toBe(before + 650n);
    expect(await ledgerTransactionsOf(t, pos.id, transactionId)).toBe(1);
    expect(await ledgerTransactionsOf(t, other.id, transactionId)).toBe(1);

    // Each replays on its own, and a different payload at one retailer does not touch the other.
    const replayB = await recordPurchase(t, other.token, { transactionId, customerId: otherCustomerId, productId, quantity: 3 });
    expect(replayB.data?.recordPurchase).toMatchObject({ replayed: true, pointsAwarded: '150' });
    const conflictA = await recordPurchase(t, pos.token, { transactionId, customerId: otherCustomerId, productId, quantity: 3 });
    expect(refusal(conflictA)).toBe('IDEMPOTENCY_CONFLICT');
  });
});
