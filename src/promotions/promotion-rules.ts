import { LocalDate } from '../common/time/local-date';
import { AwardRate, compareAwardRates } from './award-rate';

/** One version of a promotion series, as the rules see it. */
export interface PromotionVersion {
  id: string;
  seriesId: string;
  version: number;
  /** Creation order of the series (its version 0): the later, the newer. */
  seriesSeq: bigint;
  productId: string;
  retailerId: string | null;
  region: string | null;
  startDate: LocalDate;
  endDate: LocalDate;
  awardRate: AwardRate;
}

/** Where and when a sale happened, as the rules need it. */
export interface SaleContext {
  productId: string;
  retailerId: string;
  retailerRegion: string | null;
  /** The sale's date on the retailer's own wall clock. */
  localDate: LocalDate;
}

export type ScopeKind = 'retailer' | 'region' | 'all';

export function scopeOf(p: Pick<PromotionVersion, 'retailerId' | 'region'>): ScopeKind {
  if (p.retailerId !== null) return 'retailer';
  if (p.region !== null) return 'region';
  return 'all';
}

/** Narrower scopes win: a retailer's own promotion, then its region's, then everyone's. */
const SCOPE_RANK: Record<ScopeKind, number> = { retailer: 0, region: 1, all: 2 };

/** Only the highest version of each series is that series' rule; earlier versions never apply again. */
export function latestVersions(versions: Iterable<PromotionVersion>): PromotionVersion[] {
  const latest = new Map<string, PromotionVersion>();
  for (const v of versions) {
    const seen = latest.get(v.seriesId);
    if (!seen || v.version > seen.version) latest.set(v.seriesId, v);
  }
  return [...latest.values()];
}

export function appliesTo(p: PromotionVersion, sale: SaleContext): boolean {
  if (p.productId !== sale.productId) return false;
  if (sale.localDate < p.startDate || sale.localDate > p.endDate) return false;
  switch (scopeOf(p)) {
    case 'retailer':
      return p.retailerId === sale.retailerId;
    case 'region':
      return sale.retailerRegion !== null && p.region === sale.retailerRegion;
    case 'all':
      return true;
  }
}

/** Orders applicable promotions best first: narrowest scope, then highest award rate, then newest series. */
export function comparePrecedence(a: PromotionVersion, b: PromotionVersion): number {
  const byScope = SCOPE_RANK[scopeOf(a)] - SCOPE_RANK[scopeOf(b)];
  if (byScope !== 0) return byScope;
  const byRate = compareAwardRates(b.awardRate, a.awardRate);
  if (byRate !== 0) return byRate;
  return a.seriesSeq > b.seriesSeq ? -1 : a.seriesSeq < b.seriesSeq ? 1 : 0;
}

/**
 * The promotion version that earns points for a sale, or null when none applies.
 * `versions` may hold every version of every series: superseded versions are ignored here.
 */
export function selectPromotion(versions: Iterable<PromotionVersion>, sale: SaleContext): PromotionVersion | null {
  let best: PromotionVersion | null = null;
  for (const p of latestVersions(versions)) {
    if (appliesTo(p, sale) && (best === null || comparePrecedence(p, best) < 0)) best = p;
  }
  return best;
}
