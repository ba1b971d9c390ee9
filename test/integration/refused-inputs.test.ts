import { randomUUID } from 'node:crypto';
import { Fixtures, ledgerSnapshot, recordPurchase } from '../support/fixtures';
import { ADMIN_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { count, DAY_MS, isoFromNow, refusal, txn } from './helpers';

const MINUTE_MS = 60_000;

describe('refused inputs', () => {
  let t: TestApp;
  let f: Fixtures;
  let pos: { id: string; token: string };
  let customerId: string;
  let productId: string;
  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    pos = await f.retailer();
    customerId = await f.customer();
    productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '10' });
  });
  afterAll(() => t.close());

  const valid = () => ({ customerId, productId, quantity: 1 });

  describe('recordPurchase', () => {
    /** Each case: fields that replace those of a valid purchase. */
    const refusedWithKey: Array<[string, () => Record<string, unknown>, string]> = [
      ['quantity 0', () => ({ quantity: 0 }), 'BAD_USER_INPUT'],
      ['quantity 10001', () => ({ quantity: 10001 }), 'BAD_USER_INPUT'],
      ['quantity -1', () => ({ quantity: -1 }), 'BAD_USER_INPUT'],
      ['quantity 1.5 (not an Int)', () => ({ quantity: 1.5 }), 'BAD_USER_INPUT'],
      ['unitPriceCents -1', () => ({ unitPriceCents: -1 }), 'BAD_USER_INPUT'],
      ['unitPriceCents 10000001', () => ({ unitPriceCents: 10_000_001 }), 'BAD_USER_INPUT'],
      ['customerId not a UUID', () => ({ customerId: 'customer-1' }), 'BAD_USER_INPUT'],
      ['productId not a UUID', () => ({ productId: `${productId}0` }), 'BAD_USER_INPUT'],
      ['purchasedAt without an offset', () => ({ purchasedAt: isoFromNow(-MINUTE_MS).replace('Z', '') }), 'BAD_USER_INPUT'],
      ['purchasedAt not a date', () => ({ purchasedAt: 'yesterday' }), 'BAD_USER_INPUT'],
      ['purchasedAt an impossible date', () => ({ purchasedAt: '2026-02-30T10:00:00Z' }), 'BAD_USER_INPUT'],
      ['purchasedAt 6 minutes in the future', () => ({ purchasedAt: isoFromNow(6 * MINUTE_MS) }), 'BAD_USER_INPUT'],
      ['purchasedAt 6 minutes ahead, written with an offset', () => ({ purchasedAt: withOffset(Date.now() + 6 * MINUTE_MS, -8) }), 'BAD_USER_INPUT'],
      ['purchasedAt 31 days old', () => ({ purchasedAt: isoFromNow(-31 * DAY_MS) }), 'BAD_USER_INPUT'],
      ['purchasedAt 30 days and a minute old', () => ({ purchasedAt: isoFromNow(-30 * DAY_MS - MINUTE_MS) }), 'BAD_USER_INPUT'],
      ['an unknown customer', () => ({ customerId: randomUUID() }), 'CUSTOMER_NOT_FOUND'],
      ['an unknown product', () => ({ productId: randomUUID() }), 'PRODUCT_NOT_FOUND'],
      ['an unknown customer and product', () => ({ customerId: randomUUID(), productId: randomUUID() }), 'PRODUCT_NOT_FOUND'],
    ];

    it.each(refusedWithKey)('refuses %s, writes nothing and leaves the key free', async (_label, change, code) => {
      const transactionId = txn('refused');
      const before = await ledgerSnapshot(t);
      const r = await recordPurchase(t, pos.token, { transactionId, ...valid(), ...change() });
      expect(refusal(r)).toBe(code);
      expect(r.data ?? null).toBeNull();
      expect(await ledgerSnapshot(t)).toEqual(before);
      expect(await count(t, 'purchases', 'transaction_id = $1', [transactionId])).toBe(0);

      const retry = await recordPurchase(t, pos.token, { transactionId, ...valid() });
      expect(retry.errors).toBeUndefined();
      expect(retry.data?.recordPurchase).toMatchObject({ replayed: false, pointsAwarded: '100' });
      const after = await ledgerSnapshot(t);
      expect(after.purchases).toBe(before.purchases + 1);
      expect(after.transactions).toBe(before.transactions + 1);
    });

    const refusedKeys: Array<[string, string]> = [
      ['an empty transactionId', ''],
      ['a transactionId of 129 characters', 'k'.repeat(129)],
      ['a transactionId of 129 emoji (129 characters)', '\u{1F37A}'.repeat(129)],
      ['a transactionId with a newline', 'pos-1\nx'],
      ['a transactionId with a NUL', 'pos-1\u0000'],
      ['a transactionId with a tab', '\tpos-1'],
      ['a transactionId with DEL', 'pos-1\u007f'],
      ['a transactionId with a C1 control', 'pos-\u00851'],
    ];

    it.each(refusedKeys)('refuses %s and writes nothing', async (_label, transactionId) => {
      const before = await ledgerSnapshot(t);
      const r = await recordPurchase(t, pos.token, { transactionId, ...valid() });
      expect(refusal(r)).toBe('BAD_USER_INPUT');
      expect(await ledgerSnapshot(t)).toEqual(before);
    });

    it('accepts the edges of every range', async () => {
      const edges: Array<[Record<string, unknown>, string]> = [
        [{ quantity: 1, unitPriceCents: 0 }, '0'],
        [{ quantity: 10000, unitPriceCents: 10_000_000 }, '10000000000'],
        [{ transactionId: 'k'.repeat(128) }, '100'],
        [{ transactionId: '\u{1F37A}'.repeat(128) }, '100'],
        [{ transactionId: 'a b/c:d#é' }, '100'],
        [{ purchasedAt: isoFromNow(4 * MINUTE_MS) }, '100'],
        [{ purchasedAt: isoFromNow(-29 * DAY_MS) }, '100'],
        [{ purchasedAt: withOffset(Date.now() - DAY_MS, 5.5) }, '100'],
        [{ customerId: customerId.toUpperCase(), productId: productId.toUpperCase() }, '100'],
      ];
      for (const [change, points] of edges) {
        const r = await recordPurchase(t, pos.token, { transactionId: txn('edge'), ...valid(), ...change });
        expect({ change, errors: r.errors }).toEqual({ change, errors: undefined });
        expect(r.data?.recordPurchase.pointsAwarded).toBe(points);
      }
    });
  });

  describe('back office', () => {
    const createPromotion = (input: Record<string, unknown>) =>
      t.gql(ADMIN_TOKEN, 'mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id } }', { input });
    const revisePromotion = (id: string, input: Record<string, unknown>) =>
      t.gql(ADMIN_TOKEN, 'mutation($id: ID!, $input: RevisePromotionInput!) { revisePromotion(id: $id, input: $input) { id } }', { id, input });
    const tables = async () => ({
      retailers: await count(t, 'retailers'),
      customers: await count(t, 'customers'),
      products: await count(t, 'products'),
      promotions: await count(t, 'promotions'),
    });
    const base = () => ({ productId, startDate: '2026-01-01', endDate: '2026-01-31', awardRate: '2' });

    const createPromotionCases: Array<[string, () => Record<string, unknown>, string]> = [
      ['both a retailer and a region', () => ({ retailerId: pos.id, region: 'west' }), 'BAD_USER_INPUT'],
      ['an end date before the start date', () => ({ startDate: '2026-02-01', endDate: '2026-01-31' }), 'BAD_USER_INPUT'],
      ['a negative award rate', () => ({ awardRate: '-1' }), 'BAD_USER_INPUT'],
      ['an award rate of "abc"', () => ({ awardRate: 'abc' }), 'BAD_USER_INPUT'],
      ['an award rate of 5 decimal places', () => ({ awardRate: '1.00001' }), 'BAD_USER_INPUT'],
      ['an award rate given as a number', () => ({ awardRate: 1.5 }), 'BAD_USER_INPUT'],
      ['an impossible date 2026-02-30', () => ({ startDate: '2026-02-30' }), 'BAD_USER_INPUT'],
      ['a date that is not YYYY-MM-DD', () => ({ endDate: '2026-1-31' }), 'BAD_USER_INPUT'],
      ['an empty region', () => ({ region: '' }), 'BAD_USER_INPUT'],
      ['a product id that is not a UUID', () => ({ productId: 'beer' }), 'BAD_USER_INPUT'],
      ['an unknown product', () => ({ productId: randomUUID() }), 'NOT_FOUND'],
      ['an unknown retailer', () => ({ retailerId: randomUUID() }), 'NOT_FOUND'],
    ];

    it.each(createPromotionCases)('createPromotion refuses %s and writes nothing', async (_label, change, code) => {
      const before = await tables();
      const r = await createPromotion({ ...base(), ...change() });
      expect(refusal(r)).toBe(code);
      expect(await tables()).toEqual(before);
    });

    it('createPromotion accepts what those cases change back to valid values (control)', async () => {
      const r = await createPromotion({ ...base(), retailerId: pos.id, awardRate: '1.0001', startDate: '2026-02-28', endDate: '2026-02-28' });
      expect(r.errors).toBeUndefined();
    });

    it('revisePromotion refuses bad values (BAD_USER_INPUT) and an unknown promotion (NOT_FOUND)', async () => {
      const promotion = await f.promotion({ productId, awardRate: '1', startDate: '2026-01-01', endDate: '2026-01-31' });
      const cases: Array<[string, Record<string, unknown>, string]> = [
        [promotion.id, { endDate: '2025-12-31' }, 'BAD_USER_INPUT'],
        [promotion.id, { startDate: '2026-02-01' }, 'BAD_USER_INPUT'],
        [promotion.id, { awardRate: '-0.5' }, 'BAD_USER_INPUT'],
        [promotion.id, { awardRate: 'abc' }, 'BAD_USER_INPUT'],
        [promotion.id, { awardRate: '2.12345' }, 'BAD_USER_INPUT'],
        [promotion.id, { endDate: '2026-02-30' }, 'BAD_USER_INPUT'],
        ['not-a-uuid', { awardRate: '2' }, 'BAD_USER_INPUT'],
        [randomUUID(), { awardRate: '2' }, 'NOT_FOUND'],
      ];
      for (const [id, input, code] of cases) {
        const before = await tables();
        const r = await revisePromotion(id, input);
        expect({ input, code: refusal(r) }).toEqual({ input, code });
        expect(await tables()).toEqual(before);
      }
      const ok = await revisePromotion(promotion.id, { awardRate: '2' });
      expect(ok.errors).toBeUndefined();
    });

    it('createRetailer refuses an empty name and time zones that are not IANA names', async () => {
      const query = 'mutation($input: CreateRetailerInput!) { createRetailer(input: $input) { authToken } }';
      const inputs = [
        { name: '' },
        { name: 'Shop', timezone: 'Mars/Olympus_Mons' },
        { name: 'Shop', timezone: 'PST' },
        { name: 'Shop', timezone: '+01:00' },
        { name: 'Shop', timezone: '' },
        { name: 'Shop', region: '' },
      ];
      for (const input of inputs) {
        const before = await tables();
        expect({ input, code: refusal(await t.gql(ADMIN_TOKEN, query, { input })) }).toEqual({ input, code: 'BAD_USER_INPUT' });
        expect(await tables()).toEqual(before);
      }
    });

    it('createCustomer refuses empty names; createProduct an empty name and a negative price', async () => {
      const customer = 'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }';
      const product = 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }';
      const cases: Array<[string, Record<string, unknown>]> = [
        [customer, { firstName: '', lastName: 'X' }],
        [customer, { firstName: 'X', lastName: '' }],
        [product, { name: '', priceCents: 100 }],
        [product, { name: 'P', priceCents: -1 }],
        [product, { name: 'P', priceCents: 10_000_001 }],
      ];
      for (const [query, input] of cases) {
        const before = await tables();
        expect({ input, code: refusal(await t.gql(ADMIN_TOKEN, query, { input })) }).toEqual({ input, code: 'BAD_USER_INPUT' });
        expect(await tables()).toEqual(before);
      }
    });
  });
});

/** An RFC 3339 text of `epochMs` written with a UTC offset of `hours` (e.g. -8, 5.5). */
function withOffset(epochMs: number, hours: number): string {
  const local = new Date(epochMs + hours * 3_600_000).toISOString().slice(0, 19);
  const sign = hours < 0 ? '-' : '+';
  const minutes = Math.abs(hours) * 60;
  return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
