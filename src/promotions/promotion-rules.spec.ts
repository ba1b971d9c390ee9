import fc from 'fast-check';
import {
  appliesTo,
  comparePrecedence,
  latestVersions,
  PromotionVersion,
  SaleContext,
  scopeOf,
  selectPromotion,
} from './promotion-rules';

const PRODUCT = 'prod-1';
const OTHER_PRODUCT = 'prod-2';
const RETAILER = 'ret-1';
const OTHER_RETAILER = 'ret-2';

let nextId = 0;
function promo(overrides: Partial<PromotionVersion> & { rate?: bigint } = {}): PromotionVersion {
  const { rate, ...rest } = overrides;
  nextId += 1;
  return {
    id: `v-${nextId}`,
    seriesId: `s-${nextId}`,
    version: 0,
    seriesSeq: BigInt(nextId),
    productId: PRODUCT,
    retailerId: null,
    region: null,
    startDate: '2026-11-01',
    endDate: '2026-11-30',
    awardRate: { scaled: rate ?? 10_000n },
    ...rest,
  };
}

/** The next version of a series, as revisePromotion appends it. */
function revise(p: PromotionVersion, changes: Partial<PromotionVersion>): PromotionVersion {
  nextId += 1;
  return { ...p, id: `v-${nextId}`, version: p.version + 1, ...changes };
}

const sale = (overrides: Partial<SaleContext> = {}): SaleContext => ({
  productId: PRODUCT,
  retailerId: RETAILER,
  retailerRegion: 'midwest',
  localDate: '2026-11-15',
  ...overrides,
});

describe('latestVersions', () => {
  it('keeps only the highest version of each series, whatever the order given', () => {
    const v0 = promo();
    const v1 = revise(v0, { awardRate: { scaled: 20_000n } });
    const v2 = revise(v1, { awardRate: { scaled: 30_000n } });
    const other = promo();
    const result = latestVersions([v2, other, v0, v1]);
    expect(result.map((p) => p.id).sort()).toEqual([v2.id, other.id].sort());
  });

  it('is empty for no versions', () => {
    expect(latestVersions([])).toEqual([]);
  });
});

describe('scopeOf', () => {
  it('names the scope', () => {
    expect(scopeOf({ retailerId: RETAILER, region: null })).toBe('retailer');
    expect(scopeOf({ retailerId: null, region: 'midwest' })).toBe('region');
    expect(scopeOf({ retailerId: null, region: null })).toBe('all');
  });
});

describe('appliesTo', () => {
  it('applies on the start date and the end date, both inclusive', () => {
    const p = promo({ startDate: '2026-11-10', endDate: '2026-11-20' });
    expect(appliesTo(p, sale({ localDate: '2026-11-09' }))).toBe(false);
    expect(appliesTo(p, sale({ localDate: '2026-11-10' }))).toBe(true);
    expect(appliesTo(p, sale({ localDate: '2026-11-20' }))).toBe(true);
    expect(appliesTo(p, sale({ localDate: '2026-11-21' }))).toBe(false);
  });

  it('applies on its single day when start and end are equal', () => {
    const p = promo({ startDate: '2026-12-31', endDate: '2026-12-31' });
    expect(appliesTo(p, sale({ localDate: '2026-12-31' }))).toBe(true);
    expect(appliesTo(p, sale({ localDate: '2027-01-01' }))).toBe(false);
    expect(appliesTo(p, sale({ localDate: '2026-12-30' }))).toBe(false);
  });

  it('does not apply to another product', () => {
    expect(appliesTo(promo(), sale({ productId: OTHER_PRODUCT }))).toBe(false);
  });

  it('a retailer promotion applies only at that retailer', () => {
    const p = promo({ retailerId: RETAILER });
    expect(appliesTo(p, sale())).toBe(true);
    expect(appliesTo(p, sale({ retailerId: OTHER_RETAILER }))).toBe(false);
  });

  it('a region promotion applies only to retailers of that region', () => {
    const p = promo({ region: 'midwest' });
    expect(appliesTo(p, sale({ retailerRegion: 'midwest' }))).toBe(true);
    expect(appliesTo(p, sale({ retailerRegion: 'west' }))).toBe(false);
  });

  it('a retailer without a region never matches a region promotion', () => {
    expect(appliesTo(promo({ region: 'midwest' }), sale({ retailerRegion: null }))).toBe(false);
  });

  it('an everyone promotion applies to any retailer, with or without a region', () => {
    const p = promo();
    expect(appliesTo(p, sale({ retailerId: OTHER_RETAILER, retailerRegion: null }))).toBe(true);
    expect(appliesTo(p, sale({ retailerRegion: 'west' }))).toBe(true);
  });
});

describe('comparePrecedence', () => {
  it('puts the narrowest scope first, whatever the rates', () => {
    const retailer = promo({ retailerId: RETAILER, rate: 1n });
    const region = promo({ region: 'midwest', rate: 500_000n });
    const all = promo({ rate: 1_000_000n });
    expect(comparePrecedence(retailer, region)).toBeLessThan(0);
    expect(comparePrecedence(region, all)).toBeLessThan(0);
    expect(comparePrecedence(retailer, all)).toBeLessThan(0);
    expect(comparePrecedence(all, retailer)).toBeGreaterThan(0);
  });

  it('within a scope, puts the highest rate first, then the newest series', () => {
    const lowNew = promo({ rate: 10_000n, seriesSeq: 9n });
    const highOld = promo({ rate: 20_000n, seriesSeq: 1n });
    const highNew = promo({ rate: 20_000n, seriesSeq: 5n });
    expect(comparePrecedence(highOld, lowNew)).toBeLessThan(0);
    expect(comparePrecedence(highNew, highOld)).toBeLessThan(0);
    expect(comparePrecedence(highOld, highNew)).toBeGreaterThan(0);
    expect(comparePrecedence(highNew, { ...highNew })).toBe(0);
  });
});

describe('selectPromotion', () => {
  it('returns null when nothing applies', () => {
    expect(selectPromotion([], sale())).toBeNull();
    expect(selectPromotion([promo({ productId: OTHER_PRODUCT })], sale())).toBeNull();
    expect(selectPromotion([promo({ endDate: '2026-11-14' })], sale())).toBeNull();
  });

  it('a revision that moves the end date earlier terminates the series, although version 0 would still apply', () => {
    const v0 = promo({ endDate: '2026-11-30' });
    const v1 = revise(v0, { endDate: '2026-11-10' });
    expect(appliesTo(v0, sale())).toBe(true);
    expect(selectPromotion([v0, v1], sale())).toBeNull();
    expect(selectPromotion([v1, v0], sale())).toBeNull();
  });

  it('a boosted revision replaces the old rate', () => {
    const v0 = promo({ rate: 10_000n });
    const v1 = revise(v0, { awardRate: { scaled: 30_000n } });
    expect(selectPromotion([v0, v1], sale())?.id).toBe(v1.id);
  });

  it('a lowered revision replaces the old rate too: an earlier version never applies again', () => {
    const v0 = promo({ rate: 30_000n });
    const v1 = revise(v0, { awardRate: { scaled: 10_000n } });
    expect(selectPromotion([v1, v0], sale())?.id).toBe(v1.id);
  });

  it("the retailer's own promotion beats a richer region and everyone promotion", () => {
    const all = promo({ rate: 900_000n });
    const region = promo({ region: 'midwest', rate: 500_000n });
    const own = promo({ retailerId: RETAILER, rate: 10_000n });
    expect(selectPromotion([all, region, own], sale())?.id).toBe(own.id);
    expect(selectPromotion([all, region], sale())?.id).toBe(region.id);
    // The region promotion does not reach a retailer without a region.
    expect(selectPromotion([all, region], sale({ retailerRegion: null }))?.id).toBe(all.id);
    // Another retailer's promotion does not count.
    expect(selectPromotion([all, own], sale({ retailerId: OTHER_RETAILER }))?.id).toBe(all.id);
  });

  it('within one scope the highest rate wins, then the newest series', () => {
    const older = promo({ rate: 20_000n, seriesSeq: 1n });
    const newer = promo({ rate: 20_000n, seriesSeq: 2n });
    const lower = promo({ rate: 10_000n, seriesSeq: 3n });
    expect(selectPromotion([older, newer, lower], sale())?.id).toBe(newer.id);
    expect(selectPromotion([newer, older, lower], sale())?.id).toBe(newer.id);
    expect(selectPromotion([older, lower], sale())?.id).toBe(older.id);
  });

  // Random series over two products, two retailers, two regions and a few days.
  const day = fc.integer({ min: 1, max: 9 }).map((d) => `2026-11-0${d}`);
  const version = fc.record({
    seriesIndex: fc.integer({ min: 0, max: 5 }),
    version: fc.integer({ min: 0, max: 3 }),
    productId: fc.constantFrom(PRODUCT, OTHER_PRODUCT),
    scope: fc.constantFrom<['retailer', string] | ['region', string] | ['all', null]>(
      ['retailer', RETAILER],
      ['retailer', OTHER_RETAILER],
      ['region', 'midwest'],
      ['region', 'west'],
      ['all', null],
    ),
    days: fc.tuple(day, day),
    rate: fc.bigInt({ min: 0n, max: 50_000n }),
  });
  const versions = fc.array(version, { maxLength: 20 }).map((rows) => {
    const seen = new Set<string>();
    return rows
      .filter((r) => {
        const key = `${r.seriesIndex}/${r.version}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .map(
        (r, i): PromotionVersion => ({
          id: `v${i}`,
          seriesId: `s${r.seriesIndex}`,
          version: r.version,
          seriesSeq: BigInt(r.seriesIndex),
          productId: r.productId,
          retailerId: r.scope[0] === 'retailer' ? r.scope[1] : null,
          region: r.scope[0] === 'region' ? r.scope[1] : null,
          startDate: r.days[0] < r.days[1] ? r.days[0] : r.days[1],
          endDate: r.days[0] < r.days[1] ? r.days[1] : r.days[0],
          awardRate: { scaled: r.rate },
        }),
      );
  });
  const sales = fc.record({
    productId: fc.constantFrom(PRODUCT, OTHER_PRODUCT),
    retailerId: fc.constantFrom(RETAILER, OTHER_RETAILER),
    retailerRegion: fc.constantFrom('midwest', 'west', null),
    localDate: day,
  });

  it('selects a latest version that applies, and no applicable latest version beats it (property)', () => {
    fc.assert(
      fc.property(versions, sales, (all, s) => {
        const chosen = selectPromotion(all, s);
        const latest = latestVersions(all);
        const applicable = latest.filter((p) => appliesTo(p, s));
        if (chosen === null) {
          expect(applicable).toEqual([]);
          return;
        }
        expect(appliesTo(chosen, s)).toBe(true);
        const maxVersion = Math.max(...all.filter((p) => p.seriesId === chosen.seriesId).map((p) => p.version));
        expect(chosen.version).toBe(maxVersion);
        for (const p of applicable) expect(comparePrecedence(p, chosen)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('does not depend on the order of the versions (property)', () => {
    fc.assert(
      fc.property(versions, sales, (all, s) => {
        const reversed = [...all].reverse();
        expect(selectPromotion(reversed, s)?.seriesId).toBe(selectPromotion(all, s)?.seriesId);
      }),
    );
  });
});
