import fc from 'fast-check';
import { uuidV7 } from './uuid-v7';

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millisOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('uuidV7', () => {
  it('is a version 7, variant 10 UUID that carries its millisecond', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (now) => {
        const id = uuidV7(now);
        expect(id).toMatch(FORMAT);
        expect(millisOf(id)).toBe(now);
      }),
    );
  });

  it('sorts ids of later milliseconds after earlier ones, as text and as bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 2 }), fc.integer({ min: 1, max: 10 ** 9 }), (earlier, gap) => {
        const later = Math.min(earlier + gap, 2 ** 48 - 1);
        expect(uuidV7(earlier) < uuidV7(later)).toBe(true);
      }),
    );
  });

  it('does not repeat within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => uuidV7(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses a time it cannot carry', () => {
    expect(() => uuidV7(-1)).toThrow(RangeError);
    expect(() => uuidV7(2 ** 48)).toThrow(RangeError);
    expect(() => uuidV7(1.5)).toThrow(RangeError);
  });
});
