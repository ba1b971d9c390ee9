import { LedgerHealthRepository } from '../../src/metrics/ledger-health.repository';
import { adjust, key } from '../lifecycle/points-kit';
import { recordReturn } from '../lifecycle/returns-kit';
import { Fixtures, recordPurchase } from '../support/fixtures';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { scrape, Scrape } from './metrics-kit';

const hourAgo = () => new Date(Date.now() - 3600_000).toISOString();

describe('the ledger-health gauges', () => {
  let t: TestApp;

  // A read interval longer than the test: every read it sees is the one the interval allows.
  beforeAll(async () => {
    t = await startTestApp({ METRICS_LEDGER_READ_SECONDS: '3600' });
  });
  afterAll(() => t.close());

  it('equal the trial balance, and 100 concurrent scrapes read the database once per interval', async () => {
    const f = new Fixtures(t);
    const pos = await f.retailer();
    const product = await f.product(1000);
    await f.promotion({ productId: product, awardRate: '2' });
    const ada = await f.customer('Ada');
    const grace = await f.customer('Grace');
    for (const [customerId, quantity] of [
      [ada, 3],
      [grace, 5],
    ] as const) {
      const r = await recordPurchase(t, pos.token, { transactionId: key('s'), customerId, productId: product, quantity, purchasedAt: hourAgo() });
      expect(r.errors).toBeUndefined();
    }
    const bought = await recordPurchase(t, pos.token, { transactionId: 'to-return', customerId: ada, productId: product, quantity: 2, purchasedAt: hourAgo() });
    expect(bought.errors).toBeUndefined();
    expect((await recordReturn(t, pos.token, { transactionId: key('r'), purchaseTransactionId: 'to-return', quantity: 1 })).errors).toBeUndefined();
    expect((await adjust(t, ADMIN_TOKEN, { idempotencyKey: key('a'), customerId: grace, points: '7', reason: 'Goodwill' })).errors).toBeUndefined();
    expect((await adjust(t, ADMIN_TOKEN, { idempotencyKey: key('a'), customerId: ada, points: '-3', reason: 'Fix' })).errors).toBeUndefined();

    const reads = jest.spyOn(t.app.get(LedgerHealthRepository), 'read');
    const scrapes = await Promise.all(Array.from({ length: 100 }, () => scrape(t)));
    expect(reads).toHaveBeenCalledTimes(1);
    const ledgerLines = (s: Scrape) => s.text.split('\n').filter((line) => /^loyalty_(points_outstanding|program_account_balance)/.test(line));
    expect(new Set(scrapes.map((s) => ledgerLines(s).join('\n'))).size).toBe(1);

    // The trial balance as the auditors read it.
    const tb = await t.gql<{ trialBalance: { total: string; accounts: { edges: Array<{ node: { code: string; kind: string; balance: string } }> } } }>(
      AUDITOR_TOKEN,
      '{ trialBalance(first: 100) { total accounts { edges { node { code kind balance } } } } }',
    );
    const accounts = tb.data!.trialBalance.accounts.edges.map((e) => e.node);
    expect(tb.data!.trialBalance.total).toBe('0');
    const s = scrapes[0];
    const program = accounts.filter((a) => a.kind !== 'CUSTOMER');
    expect(program.map((a) => a.code).sort()).toEqual([
      'program:adjustments',
      'program:cancellations',
      'program:liability',
      'program:redemptions',
      'program:returns',
    ]);
    expect(Object.fromEntries(program.map((a) => [a.code, s.get('loyalty_program_account_balance', { account: a.code })]))).toEqual(
      Object.fromEntries(program.map((a) => [a.code, Number(a.balance)])),
    );
    const outstanding = accounts.filter((a) => a.kind === 'CUSTOMER').reduce((sum, a) => sum + BigInt(a.balance), 0n);
    expect(outstanding).toBeGreaterThan(0n);
    expect(s.get('loyalty_points_outstanding')).toBe(Number(outstanding));
    // Not a coincidence of zeros: the movements are there.
    expect(s.get('loyalty_program_account_balance', { account: 'program:returns' })).toBeGreaterThan(0);
    expect(s.get('loyalty_program_account_balance', { account: 'program:adjustments' })).toBe(-4);

    // Within the interval: more sales, 100 more scrapes, still that one read, and its figures.
    await recordPurchase(t, pos.token, { transactionId: key('s'), customerId: grace, productId: product, quantity: 1 });
    const later = await Promise.all(Array.from({ length: 100 }, () => scrape(t)));
    expect(reads).toHaveBeenCalledTimes(1);
    expect(later.every((x) => x.get('loyalty_points_outstanding') === Number(outstanding))).toBe(true);
  });
});
