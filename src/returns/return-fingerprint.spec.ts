import fc from 'fast-check';
import { Instant, parseRfc3339 } from '../common/time/instant';
import { returnFingerprint, SubmittedReturn } from './return-fingerprint';

const instant = (text: string): Instant => {
  const parsed = parseRfc3339(text);
  if (parsed === null) throw new Error(`refused: ${text}`);
  return parsed;
};

const base: SubmittedReturn = {
  transactionId: 'R-2001',
  purchaseTransactionId: 'T-1001',
  quantity: 2,
  returnedAt: instant('2026-11-26T10:15:00.654321Z'),
};

const hex = (r: SubmittedReturn): string => returnFingerprint(r).toString('hex');

describe('returnFingerprint', () => {
  it('is a SHA-256 digest', () => {
    const digest = returnFingerprint(base);
    expect(Buffer.isBuffer(digest)).toBe(true);
    expect(digest).toHaveLength(32);
    expect(hex(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for the same payload, even from a copy', () => {
    expect(hex({ ...base })).toBe(hex(base));
    expect(hex({ ...base, returnedAt: instant('2026-11-26T10:15:00.654321Z') })).toBe(hex(base));
  });

  it('tells a left-out returnedAt from one sent with any instant', () => {
    const { returnedAt: _omitted, ...withoutTime } = base;
    expect(hex(withoutTime)).not.toBe(hex(base));
    expect(hex(withoutTime)).not.toBe(hex({ ...withoutTime, returnedAt: Instant.fromEpochMicros(0n) }));
  });

  it('treats undefined and null alike: both mean not sent', () => {
    expect(hex({ ...base, returnedAt: undefined })).toBe(hex({ ...base, returnedAt: null }));
  });

  it('is the same for one instant written with two offsets', () => {
    const utc = { ...base, returnedAt: instant('2026-11-26T18:15:00Z') };
    expect(hex({ ...base, returnedAt: instant('2026-11-26T10:15:00-08:00') })).toBe(hex(utc));
    expect(hex({ ...base, returnedAt: instant('2026-11-26T23:45:00.000+05:30') })).toBe(hex(utc));
  });

  it('differs for instants one microsecond apart', () => {
    expect(hex({ ...base, returnedAt: instant('2026-11-26T10:15:00.000001Z') })).not.toBe(
      hex({ ...base, returnedAt: instant('2026-11-26T10:15:00.000002Z') }),
    );
  });

  it('compares both transaction ids exactly (they are not UUIDs)', () => {
    expect(hex({ ...base, transactionId: 'r-2001' })).not.toBe(hex(base));
    expect(hex({ ...base, purchaseTransactionId: 't-1001' })).not.toBe(hex(base));
  });

  it.each<[string, Partial<SubmittedReturn>]>([
    ['transactionId', { transactionId: 'R-2002' }],
    ['purchaseTransactionId', { purchaseTransactionId: 'T-1002' }],
    ['quantity', { quantity: 3 }],
    ['returnedAt', { returnedAt: instant('2026-11-26T10:15:01.654321Z') }],
  ])('changes when %s changes', (_field, change) => {
    expect(hex({ ...base, ...change })).not.toBe(hex(base));
  });

  it('does not confuse fields by moving a value from one to another', () => {
    const a: SubmittedReturn = { transactionId: 'x', purchaseTransactionId: 'y', quantity: 1 };
    const swapped: SubmittedReturn = { ...a, transactionId: 'y', purchaseTransactionId: 'x' };
    const injected: SubmittedReturn = { ...a, transactionId: 'x","y' };
    const timed: SubmittedReturn = { ...a, returnedAt: Instant.fromEpochMicros(1n) };
    expect(new Set([hex(a), hex(swapped), hex(injected), hex(timed)]).size).toBe(4);
  });

  const returns = fc.record(
    {
      transactionId: fc.string({ minLength: 1, maxLength: 128 }),
      purchaseTransactionId: fc.string({ minLength: 1, maxLength: 128 }),
      quantity: fc.integer({ min: 1, max: 10_000 }),
      returnedAt: fc.bigInt({ min: 0n, max: 4_102_444_800_000_000n }).map(Instant.fromEpochMicros),
    },
    { requiredKeys: ['transactionId', 'purchaseTransactionId', 'quantity'] },
  );

  it('equal payloads give equal digests and any changed field a different one (property)', () => {
    fc.assert(
      fc.property(returns, returns, (a, b) => {
        const same =
          a.transactionId === b.transactionId &&
          a.purchaseTransactionId === b.purchaseTransactionId &&
          a.quantity === b.quantity &&
          a.returnedAt?.epochMicros === b.returnedAt?.epochMicros;
        expect(hex(a) === hex(b)).toBe(same);
      }),
    );
  });

  it('a changed quantity always changes the digest (property)', () => {
    fc.assert(
      fc.property(returns, fc.integer({ min: 1, max: 10_000 }), (r, q) => {
        fc.pre(q !== r.quantity);
        expect(hex({ ...r, quantity: q })).not.toBe(hex(r));
      }),
    );
  });
});
