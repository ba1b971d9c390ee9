import { parseAwardRate, AwardRate } from '../promotions/award-rate';
import { SequencedPromotionVersion } from '../promotions/promotion-versions';
import { checkGuards, GUARD_CONSTRAINTS, GUARD_INDEXES, GUARD_TRIGGERS } from './database-guards';
import { checkPurchaseRules, PurchaseSnapshot, RulesCatalog } from './purchase-rules-check';
import { FindingCollector, MAX_EXAMPLES } from './reconciliation-report';
import { planRun, PreviousRun } from './run-plan';

const rate = (text: string) => parseAwardRate(text) as AwardRate;

function version(id: string, seq: bigint, fields: Partial<SequencedPromotionVersion> = {}): SequencedPromotionVersion {
  return {
    id,
    seriesId: id,
    version: 0,
    seriesSeq: seq,
    seq,
    productId: 'beer',
    retailerId: null,
    region: null,
    startDate: '2026-01-01',
    endDate: '2026-12-31',
    awardRate: rate('10'),
    ...fields,
  };
}

function purchase(fields: Partial<PurchaseSnapshot> = {}): PurchaseSnapshot {
  return {
    id: 'p1',
    retailerId: 'shop',
    productId: 'beer',
    quantity: 3,
    unitPriceCents: 333,
    totalPriceCents: 999n,
    promotionId: 'everyone',
    awardRate: rate('10'),
    pointsEarned: 99n,
    purchasedAt: new Date('2026-03-01T12:00:00Z'),
    catalogSeq: 1n,
    ...fields,
  };
}

const chicago = { region: 'north', timezone: 'America/Chicago' };

describe('check 5 for one purchase', () => {
  const catalog = new RulesCatalog([
    version('everyone', 1n),
    // Created after the sale's catalog (seq 2 > 1), and narrower: it must not count against the sale.
    version('north', 2n, { region: 'north', awardRate: rate('20') }),
  ]);

  it('accepts a snapshot that the rules reproduce, with the catalog the sale was priced with', () => {
    expect(checkPurchaseRules(purchase(), chicago, catalog)).toEqual([]);
    expect(checkPurchaseRules(purchase({ catalogSeq: 2n, promotionId: 'north', awardRate: rate('20'), pointsEarned: 199n }), chicago, catalog)).toEqual([]);
  });

  it('names points off floor(total x rate / 100), a wrong total, a wrong promotion and a wrong rate', () => {
    expect(checkPurchaseRules(purchase({ pointsEarned: 100n }), chicago, catalog)).toEqual([
      { kind: 'wrong-points', expected: '99', actual: '100', amount: 1n },
    ]);
    expect(checkPurchaseRules(purchase({ totalPriceCents: 1000n, pointsEarned: 100n }), chicago, catalog).map((d) => d.kind)).toEqual(['wrong-total']);
    expect(checkPurchaseRules(purchase({ catalogSeq: 2n }), chicago, catalog)).toEqual([
      { kind: 'wrong-promotion', expected: 'north', actual: 'everyone', amount: 100n },
    ]);
    expect(checkPurchaseRules(purchase({ awardRate: rate('20'), pointsEarned: 199n }), chicago, catalog)).toEqual([
      { kind: 'wrong-rate', expected: '10', actual: '20', amount: 100n },
    ]);
  });

  it("takes the sale's date on the retailer's wall clock", () => {
    // 2026-01-01T03:00Z is still New Year's Eve in Chicago: before the promotion starts.
    const early = purchase({ purchasedAt: new Date('2026-01-01T03:00:00Z') });
    expect(checkPurchaseRules(early, chicago, catalog).map((d) => `${d.kind}:${d.expected}`)).toEqual(['wrong-promotion:none']);
    expect(checkPurchaseRules(early, { region: null, timezone: 'Asia/Tokyo' }, catalog)).toEqual([]);
  });
});

describe('check 6', () => {
  const healthy = () => ({
    triggers: GUARD_TRIGGERS.map((g) => ({ table: g.table, name: g.name, fn: g.fn, enabled: 'O' })),
    constraints: GUARD_CONSTRAINTS.map((c) => ({ ...c, enforced: true })),
    indexes: GUARD_INDEXES.map((i) => ({ ...i, enforced: true })),
  });

  it('finds nothing when every guard is there and enabled', () => {
    const { triggers, constraints, indexes } = healthy();
    expect(checkGuards(triggers, constraints, indexes)).toEqual([]);
  });

  it('names a disabled trigger, one calling another function, a dropped constraint', () => {
    const { triggers, constraints, indexes } = healthy();
    triggers[0].enabled = 'D';
    triggers[1].fn = 'noop';
    const found = checkGuards(triggers, constraints.slice(1), indexes);
    expect(found.map((f) => [f.kind, f.examples.map((e) => e.id)])).toEqual([
      ['trigger-disabled', ['purchases.purchases_append_only', 'purchases.purchases_no_truncate']],
      ['constraint-missing', ['purchases.purchases_points_formula']],
    ]);
  });

  it('names a dropped unique index and one rebuilt without uniqueness', () => {
    const { triggers, constraints, indexes } = healthy();
    const [returns, redemptions, ...rest] = indexes;
    const found = checkGuards(triggers, constraints, [{ ...redemptions, enforced: false }, ...rest]);
    expect(found.map((f) => [f.kind, f.examples.map((e) => e.id)])).toEqual([
      ['index-missing', [`ledger_transactions.${returns.name}`]],
      ['index-not-enforced', ['ledger_transactions.ledger_transactions_redemption_idx']],
    ]);
  });
});

describe('the findings collector', () => {
  it('counts every row and keeps the smallest ids, bounded', () => {
    const c = new FindingCollector('PURCHASES_MATCH_RULES', 'wrong-points', 'x');
    for (let i = 999; i >= 0; i--) c.add({ id: `id-${String(i).padStart(4, '0')}`, expected: null, actual: null }, -2n);
    const f = c.finding()!;
    expect({ count: f.count, amount: f.amount, examples: f.examples.length, first: f.examples[0].id }).toEqual({
      count: 1000n,
      amount: 2000n,
      examples: MAX_EXAMPLES,
      first: 'id-0000',
    });
  });
});

describe('which mode a run takes', () => {
  const clean: PreviousRun = { id: '7', status: 'clean', watermark: '10:12:10', lastEntryId: 40n, sameCluster: true };

  it('continues incrementally from a clean run only', () => {
    expect(planRun(clean, false)).toEqual({
      mode: 'incremental',
      reason: "continues from run 7's watermark",
      since: { id: '7', watermark: '10:12:10', lastEntryId: 40n },
    });
    expect(planRun(null, false).reason).toBe('no earlier run');
    expect(planRun(clean, true).reason).toBe('asked for');
    expect(planRun({ ...clean, status: 'drift' }, false)).toMatchObject({ mode: 'full', reason: 'run 7 found drift' });
    expect(planRun({ ...clean, status: 'empty' }, false).mode).toBe('full');
    expect(planRun({ ...clean, sameCluster: false }, false).reason).toBe("run 7's watermark is from another database cluster");
  });
});
