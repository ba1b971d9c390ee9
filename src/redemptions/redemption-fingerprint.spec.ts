import fc from 'fast-check';
import { redemptionFingerprint, SubmittedRedemption } from './redemption-fingerprint';

const base: SubmittedRedemption = {
  idempotencyKey: 'shop-order-1001',
  customerId: '3f2c1b9e-8d4a-4c6b-9e1f-2a3b4c5d6e7f',
  points: 500n,
  rewardReference: 'MUG-2026',
};

const hex = (r: SubmittedRedemption): string => redemptionFingerprint(r).toString('hex');

describe('redemptionFingerprint', () => {
  it('is a SHA-256 digest', () => {
    expect(redemptionFingerprint(base)).toHaveLength(32);
  });

  it('is the same for the same payload, whatever the case of the customer id', () => {
    expect(hex({ ...base })).toBe(hex(base));
    expect(hex({ ...base, customerId: base.customerId.toUpperCase() })).toBe(hex(base));
  });

  it.each<[string, Partial<SubmittedRedemption>]>([
    ['idempotencyKey', { idempotencyKey: 'shop-order-1002' }],
    ['idempotencyKey case', { idempotencyKey: 'SHOP-order-1001' }],
    ['customerId', { customerId: '3f2c1b9e-8d4a-4c6b-9e1f-2a3b4c5d6e70' }],
    ['points', { points: 501n }],
    ['rewardReference', { rewardReference: 'MUG-2027' }],
    ['rewardReference case', { rewardReference: 'mug-2026' }],
  ])('changes when %s changes', (_field, change) => {
    expect(hex({ ...base, ...change })).not.toBe(hex(base));
  });

  it('does not confuse fields by moving text from one to another', () => {
    const a: SubmittedRedemption = { idempotencyKey: 'k', customerId: 'c', points: 1n, rewardReference: 'r' };
    const injected: SubmittedRedemption = { ...a, idempotencyKey: 'k","c', customerId: '' };
    expect(hex(injected)).not.toBe(hex(a));
  });

  it('stays exact beyond 2^53', () => {
    expect(hex({ ...base, points: 9_007_199_254_740_993n })).not.toBe(hex({ ...base, points: 9_007_199_254_740_992n }));
  });

  const redemptions = fc.record({
    idempotencyKey: fc.string({ minLength: 1, maxLength: 128 }),
    customerId: fc.uuid(),
    points: fc.bigInt({ min: 1n, max: 10n ** 15n }),
    rewardReference: fc.string({ minLength: 1, maxLength: 200 }),
  });

  it('equal payloads give equal digests and any changed field a different one (property)', () => {
    fc.assert(
      fc.property(redemptions, redemptions, (a, b) => {
        const same =
          a.idempotencyKey === b.idempotencyKey &&
          a.customerId.toLowerCase() === b.customerId.toLowerCase() &&
          a.points === b.points &&
          a.rewardReference === b.rewardReference;
        expect(hex(a) === hex(b)).toBe(same);
      }),
    );
  });
});
