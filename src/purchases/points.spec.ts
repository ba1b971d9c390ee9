import fc from 'fast-check';
import { AwardRate, MAX_AWARD_RATE_SCALED, parseAwardRate } from '../promotions/award-rate';
import { pointsFor, totalPriceCents } from './points';

const rate = (text: string): AwardRate => {
  const parsed = parseAwardRate(text);
  if (typeof parsed === 'string') throw new Error(`test rate ${text} refused: ${parsed}`);
  return parsed;
};

/** cents x (points per dollar x 10000) = 100 x 10000 x points. */
const DIVISOR = 100n * 10_000n;

const cents = fc.bigInt({ min: 0n, max: 10n ** 15n });
const scaledRate = fc.bigInt({ min: 0n, max: MAX_AWARD_RATE_SCALED });

describe('pointsFor', () => {
  it.each([
    [1497n, '1.5', 22n], // 22.455 points, rounded down
    [199n, '100', 199n],
    [1n, '0.0001', 0n],
    [100n, '1', 1n],
    [99n, '1', 0n],
    [1000n, '2.5', 25n],
    [333n, '3.3333', 11n], // 11.099889
    [0n, '100', 0n],
    [12345n, '0', 0n],
    [1_000_000n, '0.0001', 1n], // exactly one point
    [999_999n, '0.0001', 0n], // just under one point
  ])('%p cents at %p points per dollar earn %p points', (total, text, points) => {
    expect(pointsFor(total, rate(text))).toBe(points);
  });

  it('earns nothing without a promotion', () => {
    expect(pointsFor(1_000_000n, null)).toBe(0n);
  });

  it('does not lose the cents that a float would round (0.29 x 100 = 28.999... as binary)', () => {
    // 29 cents at 100 points per dollar is exactly 29 points.
    expect(pointsFor(29n, rate('100'))).toBe(29n);
    // 1.15 points per dollar on 100 dollars is exactly 115 points.
    expect(pointsFor(10_000n, rate('1.15'))).toBe(115n);
    expect(pointsFor(700n, rate('0.57'))).toBe(3n); // 3.99 -> 3
  });

  it('stays exact beyond 2^53', () => {
    const max = MAX_AWARD_RATE_SCALED; // 99999999.9999
    // 10000 x 10000000 cents, the largest purchase the input rules allow, at the largest rate.
    expect(pointsFor(100_000_000_000n, { scaled: max })).toBe(99_999_999_999_900_000n);
    const total = 2n ** 60n + 7n;
    expect(pointsFor(total, rate('1.5'))).toBe((total * 15_000n) / DIVISOR);
    expect(pointsFor(total, rate('1.5'))).toBe(17_293_822_569_102_704n);
    expect(pointsFor(9_007_199_254_740_993n, rate('100'))).toBe(9_007_199_254_740_993n);
  });

  it('refuses negative inputs instead of rounding them', () => {
    expect(() => pointsFor(-1n, rate('1'))).toThrow(RangeError);
    expect(() => pointsFor(100n, { scaled: -1n })).toThrow(RangeError);
  });

  it('is the floor: never over-credits and never loses a whole point (property)', () => {
    fc.assert(
      fc.property(cents, scaledRate, (total, scaled) => {
        const points = pointsFor(total, { scaled });
        expect(points >= 0n).toBe(true);
        expect(points * DIVISOR <= total * scaled).toBe(true);
        expect(total * scaled < (points + 1n) * DIVISOR).toBe(true);
      }),
    );
  });

  it('is monotonic in the price (property)', () => {
    fc.assert(
      fc.property(cents, cents, scaledRate, (a, b, scaled) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(pointsFor(low, { scaled }) <= pointsFor(high, { scaled })).toBe(true);
      }),
    );
  });

  it('is monotonic in the rate (property)', () => {
    fc.assert(
      fc.property(cents, scaledRate, scaledRate, (total, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(pointsFor(total, { scaled: low }) <= pointsFor(total, { scaled: high })).toBe(true);
      }),
    );
  });

  it('credits whole dollars at a whole rate exactly (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.bigInt({ min: 0n, max: 99_999_999n }), (dollars, perDollar) => {
        expect(pointsFor(dollars * 100n, rate(perDollar.toString()))).toBe(dollars * perDollar);
      }),
    );
  });
});

describe('totalPriceCents', () => {
  it('multiplies quantity by unit price', () => {
    expect(totalPriceCents(3, 499)).toBe(1497n);
    expect(totalPriceCents(1, 199)).toBe(199n);
    expect(totalPriceCents(5, 0)).toBe(0n);
  });

  it('is exact at the largest allowed purchase and beyond 2^53', () => {
    expect(totalPriceCents(10_000, 10_000_000)).toBe(100_000_000_000n);
    expect(totalPriceCents(Number.MAX_SAFE_INTEGER, 3)).toBe(27_021_597_764_222_973n);
  });

  it('equals the BigInt product for any allowed quantity and price (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 10_000_000 }), (q, unit) => {
        const total = totalPriceCents(q, unit);
        expect(typeof total).toBe('bigint');
        expect(total).toBe(BigInt(q * unit)); // below 2^53 here, so the float product is exact
      }),
    );
  });
});
