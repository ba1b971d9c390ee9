import { localDateAt } from '../common/time/local-date';
import { AwardRate, formatAwardRate } from '../promotions/award-rate';
import { latestVersions, PromotionVersion, selectPromotion } from '../promotions/promotion-rules';
import { SequencedPromotionVersion } from '../promotions/promotion-versions';
import { pointsFor, totalPriceCents } from '../purchases/points';

/**
 * Check 5 for one purchase: its stored snapshot against the same pure rules the purchase path used. No
 * framework, no database: the service streams purchases through it.
 */

export interface PurchaseSnapshot {
  id: string;
  retailerId: string;
  productId: string;
  quantity: number;
  unitPriceCents: number;
  totalPriceCents: bigint;
  promotionId: string | null;
  awardRate: AwardRate | null;
  pointsEarned: bigint;
  /** The sale's instant to the millisecond, floored (as the purchase path's Instant.toDate()). */
  purchasedAt: Date;
  /** The highest promotion seq the pricing instance knew; 0: none. */
  catalogSeq: bigint;
}

export interface RetailerPlace {
  region: string | null;
  timezone: string;
}

export type RuleDriftKind = 'wrong-total' | 'wrong-points' | 'wrong-promotion' | 'wrong-rate';

export const RULE_DRIFT_DESCRIPTIONS: Record<RuleDriftKind, string> = {
  'wrong-total': 'total price is not quantity x unit price',
  'wrong-points': "points are not floor(total x award rate / 100) of the purchase's own snapshot",
  'wrong-promotion': 'the promotion version is not the one the rules select for this sale',
  'wrong-rate': "the snapshot's award rate differs from its promotion version's",
};

export interface RuleDrift {
  kind: RuleDriftKind;
  expected: string;
  actual: string;
  /** Points involved: what the purchase would have earned under the expected value, minus what it earned. */
  amount: bigint;
}

/**
 * Every promotion version, grouped by product, and the catalog each (product, seq) saw: the latest version of
 * each series among the versions with seq <= that seq. Cached, since purchases share few distinct seqs.
 */
export class RulesCatalog {
  private readonly byProduct = new Map<string, SequencedPromotionVersion[]>();
  private readonly byId = new Map<string, SequencedPromotionVersion>();
  private readonly knownAt = new Map<string, PromotionVersion[]>();

  constructor(versions: Iterable<SequencedPromotionVersion>) {
    for (const v of versions) {
      this.byId.set(v.id, v);
      const list = this.byProduct.get(v.productId) ?? [];
      list.push(v);
      this.byProduct.set(v.productId, list);
    }
  }

  version(id: string): SequencedPromotionVersion | undefined {
    return this.byId.get(id);
  }

  /** The series' latest versions of a product as an instance whose catalog reached `catalogSeq` had them. */
  versionsKnownAt(productId: string, catalogSeq: bigint): PromotionVersion[] {
    const key = `${productId}|${catalogSeq}`;
    let versions = this.knownAt.get(key);
    if (!versions) {
      versions = latestVersions((this.byProduct.get(productId) ?? []).filter((v) => v.seq <= catalogSeq));
      this.knownAt.set(key, versions);
    }
    return versions;
  }
}

const rateText = (rate: AwardRate | null) => (rate === null ? 'none' : formatAwardRate(rate));
const abs = (n: bigint) => (n < 0n ? -n : n);

export function checkPurchaseRules(p: PurchaseSnapshot, retailer: RetailerPlace, catalog: RulesCatalog): RuleDrift[] {
  const drifts: RuleDrift[] = [];
  const total = totalPriceCents(p.quantity, p.unitPriceCents);
  if (total !== p.totalPriceCents) {
    drifts.push({ kind: 'wrong-total', expected: total.toString(), actual: p.totalPriceCents.toString(), amount: 0n });
  }
  const points = pointsFor(p.totalPriceCents, p.awardRate);
  if (points !== p.pointsEarned) {
    drifts.push({
      kind: 'wrong-points',
      expected: points.toString(),
      actual: p.pointsEarned.toString(),
      amount: abs(points - p.pointsEarned),
    });
  }

  const selected = selectPromotion(catalog.versionsKnownAt(p.productId, p.catalogSeq), {
    productId: p.productId,
    retailerId: p.retailerId,
    retailerRegion: retailer.region,
    localDate: localDateAt(p.purchasedAt, retailer.timezone),
  });
  if ((selected?.id ?? null) !== p.promotionId) {
    drifts.push({
      kind: 'wrong-promotion',
      expected: selected?.id ?? 'none',
      actual: p.promotionId ?? 'none',
      amount: abs(pointsFor(total, selected?.awardRate ?? null) - p.pointsEarned),
    });
  }
  const stored = p.promotionId === null ? undefined : catalog.version(p.promotionId);
  if (stored && (p.awardRate === null || stored.awardRate.scaled !== p.awardRate.scaled)) {
    drifts.push({
      kind: 'wrong-rate',
      expected: rateText(stored.awardRate),
      actual: rateText(p.awardRate),
      amount: abs(pointsFor(p.totalPriceCents, stored.awardRate) - p.pointsEarned),
    });
  }
  return drifts;
}
