import fc from 'fast-check';
import { recordPurchase } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { atArb } from '../property/ledger-ops';
import { buildWorld, formatInstant, RETAILER_PROMO_START, World } from '../property/ledger-world';
import { reconcile } from './drift-kit';

/**
 * Reconciliation must find nothing in what the service itself records: random sales (every scope of promotion,
 * sales either side of a promotion's start in the retailer's own time zone, replays) interleaved with
 * promotion revisions, checked incrementally after every batch and in full at the end.
 */
describe('reconciliation over random POS traffic', () => {
  let t: TestApp;
  let w: World;
  beforeAll(async () => {
    t = await startTestApp();
    w = await buildWorld(t);
  });
  afterAll(() => t?.close());

  const saleArb = fc.record({
    r: fc.nat(2),
    c: fc.nat(3),
    p: fc.nat(2),
    quantity: fc.integer({ min: 1, max: 10_000 }),
    unitPriceCents: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }),
    at: fc.option(atArb, { nil: undefined }),
    sentTwice: fc.boolean(),
  });
  const revisionArb = fc.record({
    series: fc.constantFrom('everyone', 'region', 'retailer') as fc.Arbitrary<'everyone' | 'region' | 'retailer'>,
    awardRate: fc.option(fc.constantFrom('0.0001', '1', '2.5', '100', '12345.6789'), { nil: undefined }),
    // The series' start day (it ends then: later sales earn nothing from it) or far ahead (it applies again).
    endsAtStart: fc.boolean(),
  });

  it('finds no drift, incrementally after every batch and in full at the end', async () => {
    let n = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(saleArb, { minLength: 1, maxLength: 12 }), fc.option(revisionArb, { nil: undefined }), async (sales, revision) => {
        if (revision) {
          const start = revision.series === 'retailer' ? RETAILER_PROMO_START : '2000-01-01';
          await w.f.revise(w.promos[revision.series].id, {
            ...(revision.awardRate ? { awardRate: revision.awardRate } : {}),
            endDate: revision.endsAtStart ? start : '2999-12-31',
          });
        }
        const sends = sales.flatMap((sale) => {
          const input: Record<string, unknown> = {
            transactionId: `random-${++n}`,
            customerId: w.customers[sale.c],
            productId: w.products[sale.p].id,
            quantity: sale.quantity,
          };
          if (sale.unitPriceCents !== undefined) input.unitPriceCents = sale.unitPriceCents;
          if (sale.at) input.purchasedAt = formatInstant(sale.at.micros, sale.at.offset, sale.at.trim);
          return Array.from({ length: sale.sentTwice ? 2 : 1 }, () => recordPurchase(t, w.retailers[sale.r].token, input));
        });
        for (const r of await Promise.all(sends)) expect(r.errors).toBeUndefined();

        const report = await reconcile(t);
        runs += 1;
        expect({ status: report.status, mode: report.mode, findings: report.findings }).toEqual({
          status: 'clean',
          mode: runs === 1 ? 'full' : 'incremental',
          findings: [],
        });
        expect(report.counts.purchases).toBe(BigInt(sales.length));
      }),
      { numRuns: 25 },
    );
    const full = await reconcile(t, { full: true });
    expect({ status: full.status, findings: full.findings }).toEqual({ status: 'clean', findings: [] });
    const { rows } = await t.sql.query<{ n: string }>('select count(*)::text as n from purchases');
    expect(full.counts.purchases).toBe(BigInt(rows[0].n));
  });
});
