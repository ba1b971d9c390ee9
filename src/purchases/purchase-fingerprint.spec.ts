import fc from 'fast-check';
import { Instant, parseRfc3339 } from '../common/time/instant';
import { purchaseFingerprint, SubmittedPurchase } from './purchase-fingerprint';

const instant = (text: string): Instant => {
  const parsed = parseRfc3339(text);
  if (parsed === null) throw new Error(`refused: ${text}`);
  return parsed;
};

const base: SubmittedPurchase = {
  transactionId: 'T-1001',
  customerId: '3f2c1b9e-8d4a-4c6b-9e1f-2a3b4c5d6e7f',
  productId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  quantity: 3,
  unitPriceCents: 499,
  purchasedAt: instant('2026-11-24T18:30:00.123456Z'),
};

const hex = (p: SubmittedPurchase): string => purchaseFingerprint(p).toString('hex');

describe('purchaseFingerprint', () => {
  it('is a SHA-256 digest', () => {
    const digest = purchaseFingerprint(base);
    expect(Buffer.isBuffer(digest)).toBe(true);
    expect(digest).toHaveLength(32);
  });

  it('is the same for the same payload, even from a copy', () => {
    expect(hex(base)).toBe(hex({ ...base }));
    expect(hex(base)).toBe(hex({ ...base, purchasedAt: instant('2026-11-24T18:30:00.123456Z') }));
  });

  it('tells a left-out unit price from one sent with the value it would default to', () => {
    const { unitPriceCents: _omitted, ...withoutPrice } = base;
    expect(hex(withoutPrice)).not.toBe(hex({ ...withoutPrice, unitPriceCents: 1000 }));
    expect(hex(withoutPrice)).not.toBe(hex({ ...withoutPrice, unitPriceCents: 0 }));
  });

  it('tells a left-out purchasedAt from one sent with any instant', () => {
    const { purchasedAt: _omitted, ...withoutTime } = base;
    expect(hex(withoutTime)).not.toBe(hex({ ...withoutTime, purchasedAt: instant('2026-11-24T18:30:00Z') }));
    expect(hex(withoutTime)).not.toBe(hex({ ...withoutTime, purchasedAt: Instant.fromEpochMicros(0n) }));
  });

  it('treats undefined and null alike: both mean not sent', () => {
    expect(hex({ ...base, unitPriceCents: undefined })).toBe(hex({ ...base, unitPriceCents: null }));
    expect(hex({ ...base, purchasedAt: undefined })).toBe(hex({ ...base, purchasedAt: null }));
  });

  it('is the same for one instant written with two offsets', () => {
    const utc = { ...base, purchasedAt: instant('2026-11-25T02:30:00Z') };
    const pacific = { ...base, purchasedAt: instant('2026-11-24T18:30:00-08:00') };
    const india = { ...base, purchasedAt: instant('2026-11-25T08:00:00.000+05:30') };
    expect(hex(pacific)).toBe(hex(utc));
    expect(hex(india)).toBe(hex(utc));
  });

  it('differs for instants one microsecond apart', () => {
    expect(hex({ ...base, purchasedAt: instant('2026-11-24T18:30:00.000001Z') })).not.toBe(
      hex({ ...base, purchasedAt: instant('2026-11-24T18:30:00.000002Z') }),
    );
  });

  it('compares customer and product ids case-insensitively', () => {
    const upper = { ...base, customerId: base.customerId.toUpperCase(), productId: base.productId.toUpperCase() };
    expect(hex(upper)).toBe(hex(base));
  });

  it('compares the transaction id exactly (it is not a UUID)', () => {
    expect(hex({ ...base, transactionId: 't-1001' })).not.toBe(hex(base));
  });

  it.each<[string, Partial<SubmittedPurchase>]>([
    ['transactionId', { transactionId: 'T-1002' }],
    ['customerId', { customerId: '3f2c1b9e-8d4a-4c6b-9e1f-2a3b4c5d6e70' }],
    ['productId', { productId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6e' }],
    ['quantity', { quantity: 4 }],
    ['unitPriceCents', { unitPriceCents: 500 }],
    ['purchasedAt', { purchasedAt: instant('2026-11-24T18:30:01.123456Z') }],
  ])('changes when %s changes', (_field, change) => {
    expect(hex({ ...base, ...change })).not.toBe(hex(base));
  });

  it('does not confuse fields by moving a value from one to another', () => {
    const a: SubmittedPurchase = { transactionId: 'x', customerId: 'a', productId: 'b', quantity: 1 };
    const swapped: SubmittedPurchase = { ...a, customerId: 'b', productId: 'a' };
    const priced: SubmittedPurchase = { ...a, unitPriceCents: 1 };
    const injected: SubmittedPurchase = { ...a, transactionId: 'x","a' };
    expect(new Set([hex(a), hex(swapped), hex(priced), hex(injected)]).size).toBe(4);
  });

  const purchases = fc.record(
    {
      transactionId: fc.string({ minLength: 1, maxLength: 128 }),
      customerId: fc.uuid(),
      productId: fc.uuid(),
      quantity: fc.integer({ min: 1, max: 10_000 }),
      unitPriceCents: fc.integer({ min: 0, max: 10_000_000 }),
      purchasedAt: fc.bigInt({ min: 0n, max: 4_102_444_800_000_000n }).map(Instant.fromEpochMicros),
    },
    { requiredKeys: ['transactionId', 'customerId', 'productId', 'quantity'] },
  );

  it('equal payloads give equal digests and any changed field a different one (property)', () => {
    fc.assert(
      fc.property(purchases, purchases, (a, b) => {
        const same =
          a.transactionId === b.transactionId &&
          a.customerId.toLowerCase() === b.customerId.toLowerCase() &&
          a.productId.toLowerCase() === b.productId.toLowerCase() &&
          a.quantity === b.quantity &&
          a.unitPriceCents === b.unitPriceCents &&
          a.purchasedAt?.epochMicros === b.purchasedAt?.epochMicros;
        expect(hex(a) === hex(b)).toBe(same);
        expect(hex(a)).toBe(hex({ ...a, customerId: a.customerId.toUpperCase() }));
      }),
    );
  });

  it('a changed quantity always changes the digest (property)', () => {
    fc.assert(
      fc.property(purchases, fc.integer({ min: 1, max: 10_000 }), (p, q) => {
        fc.pre(q !== p.quantity);
        expect(hex({ ...p, quantity: q })).not.toBe(hex(p));
      }),
    );
  });
});
