import fc from 'fast-check';
import { AwardRate, MAX_AWARD_RATE_SCALED, parseAwardRate } from '../promotions/award-rate';
import { pointsFor, totalPriceCents } from '../purchases/points';
import { pointsTakenBackAfter, ReturnablePurchase, returnPointsReversed } from './return-points';

const rate = (text: string): AwardRate => {
  const parsed = parseAwardRate(text);
  if (typeof parsed === 'string') throw new Error(`test rate ${text} refused: ${parsed}`);
  return parsed;
};

const earned = (p: ReturnablePurchase): bigint => pointsFor(totalPriceCents(p.quantity, p.unitPriceCents), p.awardRate);

/** The reversals of returning `parts` units in turn (each part >= 1, their sum <= the units bought). */
function reversals(p: ReturnablePurchase, parts: number[]): bigint[] {
  let before = 0;
  return parts.map((units) => {
    const points = returnPointsReversed(p, before, units);
    before += units;
    return points;
  });
}

const sum = (values: bigint[]): bigint => values.reduce((a, b) => a + b, 0n);

/** 3 x 333 cents at 1.5 points per dollar: 14.985 points, 14 earned; one unit alone would earn 4.995, so 4. */
const fractional: ReturnablePurchase = { quantity: 3, unitPriceCents: 333, awardRate: rate('1.5') };

describe('pointsTakenBackAfter', () => {
  it('takes back nothing before any return and everything earned after a full one', () => {
    expect(pointsTakenBackAfter(fractional, 0)).toBe(0n);
    expect(pointsTakenBackAfter(fractional, 3)).toBe(14n);
  });

  it('leaves the customer what the units kept would earn on their own', () => {
    // 2 units kept: floor(666 x 1.5 / 100) = floor(9.99) = 9 kept, 5 taken back.
    expect(pointsTakenBackAfter(fractional, 1)).toBe(5n);
    // 1 unit kept: floor(4.995) = 4 kept, 10 taken back.
    expect(pointsTakenBackAfter(fractional, 2)).toBe(10n);
  });

  it('takes back nothing from a purchase that earned nothing', () => {
    expect(pointsTakenBackAfter({ quantity: 5, unitPriceCents: 1000, awardRate: null }, 5)).toBe(0n);
    expect(pointsTakenBackAfter({ quantity: 5, unitPriceCents: 0, awardRate: rate('100') }, 5)).toBe(0n);
  });

  it('is exact at the largest purchase the input rules allow', () => {
    const largest: ReturnablePurchase = { quantity: 10_000, unitPriceCents: 10_000_000, awardRate: { scaled: MAX_AWARD_RATE_SCALED } };
    expect(pointsTakenBackAfter(largest, 10_000)).toBe(99_999_999_999_900_000n);
    expect(pointsTakenBackAfter(largest, 1)).toBe(9_999_999_999_990n);
  });

  it.each([-1, 4, 1.5, Number.NaN])('refuses %p units returned of 3', (units) => {
    expect(() => pointsTakenBackAfter(fractional, units)).toThrow(RangeError);
  });
});

describe('returnPointsReversed', () => {
  it('returns 1 + 1 + 1 units of 3 x 333 cents at 1.5 as 5 + 5 + 4 = the 14 earned', () => {
    expect(reversals(fractional, [1, 1, 1])).toEqual([5n, 5n, 4n]);
    // Flooring each unit on its own would take back 4 + 4 + 4 = 12 and leave the customer 2 points unearned.
    expect(pointsFor(totalPriceCents(1, 333), rate('1.5'))).toBe(4n);
  });

  it('gives the same total whatever the split', () => {
    expect(reversals(fractional, [2, 1])).toEqual([10n, 4n]);
    expect(reversals(fractional, [1, 2])).toEqual([5n, 9n]);
    expect(reversals(fractional, [3])).toEqual([14n]);
  });

  it('reverses 0 points of a purchase that earned 0', () => {
    expect(reversals({ quantity: 4, unitPriceCents: 250, awardRate: null }, [1, 3])).toEqual([0n, 0n]);
    expect(reversals({ quantity: 4, unitPriceCents: 1, awardRate: rate('0.0001') }, [2, 2])).toEqual([0n, 0n]);
  });

  it.each<[string, number, number]>([
    ['a quantity of 0', 0, 0],
    ['more units than are left', 2, 2],
    ['a negative earlier total', -1, 1],
    ['a fractional quantity', 0, 0.5],
  ])('refuses %s', (_case, before, quantity) => {
    expect(() => returnPointsReversed(fractional, before, quantity)).toThrow(RangeError);
  });

  const purchases: fc.Arbitrary<ReturnablePurchase> = fc.record({
    quantity: fc.integer({ min: 1, max: 10_000 }),
    unitPriceCents: fc.integer({ min: 0, max: 10_000_000 }),
    awardRate: fc.option(fc.bigInt({ min: 0n, max: MAX_AWARD_RATE_SCALED }).map((scaled): AwardRate => ({ scaled }))),
  });

  /** A purchase and a sequence of partial returns of it, of at most the units bought in all. */
  const returnSequences = purchases.chain((p) =>
    fc
      .array(fc.integer({ min: 1, max: p.quantity }), { minLength: 1, maxLength: 20 })
      .map((wanted) => {
        // Keep the returns that still fit, as the database would refuse the others.
        const parts: number[] = [];
        let left = p.quantity;
        for (const units of wanted) {
          if (units <= left) {
            parts.push(units);
            left -= units;
          }
        }
        return { p, parts };
      }),
  );

  it('takes back exactly what the returned units earned, in steps of at least 0 (property)', () => {
    fc.assert(
      fc.property(returnSequences, ({ p, parts }) => {
        const steps = reversals(p, parts);
        const returned = parts.reduce((a, b) => a + b, 0);
        for (const step of steps) expect(step >= 0n).toBe(true);
        expect(sum(steps)).toBe(pointsTakenBackAfter(p, returned));
        expect(sum(steps)).toBe(earned(p) - pointsFor(totalPriceCents(p.quantity - returned, p.unitPriceCents), p.awardRate));
      }),
    );
  });

  it('takes back pointsEarned exactly once every unit is returned, whatever the split (property)', () => {
    const fullReturns = purchases.chain((p) =>
      fc.array(fc.integer({ min: 1, max: p.quantity }), { minLength: 1, maxLength: 20 }).map((wanted) => {
        // Cut the wanted sizes down to what is left, then return the rest in one go.
        const parts: number[] = [];
        let left = p.quantity;
        for (const units of wanted) {
          if (left === 0) break;
          const part = Math.min(units, left);
          parts.push(part);
          left -= part;
        }
        if (left > 0) parts.push(left);
        return { p, parts };
      }),
    );
    fc.assert(
      fc.property(fullReturns, ({ p, parts }) => {
        expect(sum(reversals(p, parts))).toBe(earned(p));
      }),
    );
  });

  it('reverses what the units would earn on their own, or one point more from the rounding carried (property)', () => {
    fc.assert(
      fc.property(returnSequences, ({ p, parts }) => {
        let before = 0;
        for (const units of parts) {
          const step = returnPointsReversed(p, before, units);
          const alone = pointsFor(totalPriceCents(units, p.unitPriceCents), p.awardRate);
          expect(step === alone || step === alone + 1n).toBe(true);
          before += units;
        }
      }),
    );
  });

  it('never takes back more than the purchase earned at any point (property)', () => {
    fc.assert(
      fc.property(returnSequences, ({ p, parts }) => {
        const steps = reversals(p, parts);
        let total = 0n;
        for (const step of steps) {
          total += step;
          expect(total <= earned(p)).toBe(true);
        }
      }),
    );
  });
});
