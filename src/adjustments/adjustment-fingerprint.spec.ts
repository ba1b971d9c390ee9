import fc from 'fast-check';
import { adjustmentFingerprint, SubmittedAdjustment } from './adjustment-fingerprint';

const base: SubmittedAdjustment = {
  idempotencyKey: 'ticket-4711',
  customerId: '3f2c1b9e-8d4a-4c6b-9e1f-2a3b4c5d6e7f',
  points: -250n,
  reason: 'Goodwill for a damaged delivery',
};

const hex = (a: SubmittedAdjustment): string => adjustmentFingerprint(a).toString('hex');

describe('adjustmentFingerprint', () => {
  it('is a SHA-256 digest', () => {
    expect(adjustmentFingerprint(base)).toHaveLength(32);
  });

  it('is the same for the same payload, whatever the case of the customer id', () => {
    expect(hex({ ...base })).toBe(hex(base));
    expect(hex({ ...base, customerId: base.customerId.toUpperCase() })).toBe(hex(base));
  });

  it.each<[string, Partial<SubmittedAdjustment>]>([
    ['idempotencyKey', { idempotencyKey: 'ticket-4712' }],
    ['customerId', { customerId: '3f2c1b9e-8d4a-4c6b-9e1f-2a3b4c5d6e70' }],
    ['points', { points: -251n }],
    ['the sign of points', { points: 250n }],
    ['reason', { reason: 'Goodwill for a damaged delivery.' }],
  ])('changes when %s changes', (_field, change) => {
    expect(hex({ ...base, ...change })).not.toBe(hex(base));
  });

  it('does not confuse fields by moving text from one to another', () => {
    const a: SubmittedAdjustment = { idempotencyKey: 'k', customerId: 'c', points: 1n, reason: 'r' };
    const injected: SubmittedAdjustment = { ...a, idempotencyKey: 'k","c', customerId: '' };
    expect(hex(injected)).not.toBe(hex(a));
  });

  const adjustments = fc.record({
    idempotencyKey: fc.string({ minLength: 1, maxLength: 128 }),
    customerId: fc.uuid(),
    points: fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }).filter((p) => p !== 0n),
    reason: fc.string({ minLength: 1, maxLength: 500 }),
  });

  it('equal payloads give equal digests and any changed field a different one (property)', () => {
    fc.assert(
      fc.property(adjustments, adjustments, (a, b) => {
        const same =
          a.idempotencyKey === b.idempotencyKey &&
          a.customerId.toLowerCase() === b.customerId.toLowerCase() &&
          a.points === b.points &&
          a.reason === b.reason;
        expect(hex(a) === hex(b)).toBe(same);
      }),
    );
  });
});
