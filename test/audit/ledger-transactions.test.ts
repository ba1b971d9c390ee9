import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { refusal } from '../integration/helpers';
import { customerCode, historyPage, LIABILITY, shop, sumOf, TxNode, walk } from './helpers';

type Shop = Awaited<ReturnType<typeof shop>>;
const ids = (nodes: TxNode[]) => nodes.map((n) => n.id);
/** The ledger's own order: recorded_at, then id. ISO text with microseconds in UTC sorts like the instant. */
const byRecordedThenId = (a: TxNode, b: TxNode) => (a.recordedAt === b.recordedAt ? (a.id < b.id ? -1 : 1) : a.recordedAt < b.recordedAt ? -1 : 1);

describe('ledgerTransactions: filtered history with keyset pagination', () => {
  let t: TestApp;
  let s: Shop;
  let a: string;
  let b: string;
  /** Every transaction, oldest first. */
  let all: TxNode[];

  beforeAll(async () => {
    t = await startTestApp();
    s = await shop(t);
    a = await s.f.customer('Alice', 'A');
    b = await s.f.customer('Bob', 'B');
    for (let i = 0; i < 12; i++) await s.buy(i % 3 === 2 ? b : a, 1 + (i % 4)); // 8 for Alice, 4 for Bob
    all = (await walk(t, { order: 'OLDEST_FIRST', first: 500 })).flat();
  });
  afterAll(() => t.close());

  it('lists every transaction with its balanced entries, in the ledger order', () => {
    expect(all).toHaveLength(12);
    expect([...all].sort(byRecordedThenId)).toEqual(all);
    for (const node of all) {
      expect(node.kind).toBe('PURCHASE');
      expect(node.key).toBe(`purchase:${node.purchaseId}`);
      expect(node.recordedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(node.entries).toHaveLength(2);
      expect(sumOf(node.entries.map((e) => e.amount))).toBe(0n);
      expect(node.entries.map((e) => e.accountCode)).toContain(LIABILITY);
    }
  });

  it('walks pages newest first and oldest first: the same rows, reversed, each once', async () => {
    const newest = await walk(t, { first: 5 }, AUDITOR_TOKEN);
    expect(newest.map((p) => p.length)).toEqual([5, 5, 2]);
    expect(ids(newest.flat())).toEqual(ids(all).reverse());
    const oldest = await walk(t, { order: 'OLDEST_FIRST', first: 5 });
    expect(ids(oldest.flat())).toEqual(ids(all));
  });

  it("keeps an account's filter across pages, in both orders", async () => {
    const alice = all.filter((n) => n.entries.some((e) => e.accountCode === customerCode(a)));
    expect(alice).toHaveLength(8);
    const oldest = await walk(t, { filter: { accountCode: customerCode(a) }, order: 'OLDEST_FIRST', first: 3 });
    expect(oldest.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(ids(oldest.flat())).toEqual(ids(alice));
    const newest = await walk(t, { filter: { accountCode: customerCode(a) }, first: 3 });
    expect(ids(newest.flat())).toEqual(ids(alice).reverse());
    const liability = await walk(t, { filter: { accountCode: LIABILITY }, first: 7 });
    expect(ids(liability.flat())).toEqual(ids(all).reverse());
  });

  it('filters by kind and by a half-open time range [from, to), across pages', async () => {
    expect((await walk(t, { filter: { kind: 'PURCHASE' }, first: 5 })).flat()).toHaveLength(12);
    const corrections = await historyPage(t, { filter: { kind: 'CORRECTION' } });
    expect(corrections.data!.ledgerTransactions).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });

    const range = { from: all[2].recordedAt, to: all[8].recordedAt };
    const inRange = all.filter((n) => n.recordedAt >= range.from && n.recordedAt < range.to);
    expect(inRange.length).toBeGreaterThanOrEqual(6);
    expect(ids((await walk(t, { filter: range, order: 'OLDEST_FIRST', first: 4 })).flat())).toEqual(ids(inRange));
    const bobInRange = inRange.filter((n) => n.entries.some((e) => e.accountCode === customerCode(b)));
    const filtered = await walk(t, { filter: { ...range, accountCode: customerCode(b), kind: 'PURCHASE' }, first: 1 });
    expect(ids(filtered.flat())).toEqual(ids(bobInRange).reverse());
  });

  it('refuses a cursor reused with another filter, another order or made up, with BAD_USER_INPUT', async () => {
    const first = await historyPage(t, { filter: { accountCode: customerCode(a) }, first: 2 });
    const cursor = first.data!.ledgerTransactions.pageInfo.endCursor;
    expect(cursor).toEqual(expect.any(String));
    const again = await historyPage(t, { filter: { accountCode: customerCode(a) }, first: 2, after: cursor });
    expect(again.errors).toBeUndefined();
    expect(refusal(await historyPage(t, { filter: { accountCode: customerCode(b) }, first: 2, after: cursor }))).toBe('BAD_USER_INPUT');
    expect(refusal(await historyPage(t, { filter: { accountCode: customerCode(a) }, order: 'OLDEST_FIRST', after: cursor }))).toBe('BAD_USER_INPUT');
    expect(refusal(await historyPage(t, { after: cursor }))).toBe('BAD_USER_INPUT');
    expect(refusal(await historyPage(t, { after: 'bm90IGEgY3Vyc29y' }))).toBe('BAD_USER_INPUT');
    expect(refusal(await historyPage(t, { after: '' }))).toBe('BAD_USER_INPUT');
  });

  it('caps the page size at 500 and refuses a range that ends before it starts or an unknown account', async () => {
    expect(refusal(await historyPage(t, { first: 501 }))).toBe('BAD_USER_INPUT');
    expect(refusal(await historyPage(t, { first: 0 }))).toBe('BAD_USER_INPUT');
    expect((await historyPage(t, { first: 500 })).errors).toBeUndefined();
    expect(refusal(await historyPage(t, { filter: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } }))).toBe('BAD_USER_INPUT');
    expect(refusal(await historyPage(t, { filter: { accountCode: 'customer:00000000-0000-4000-8000-000000000000' } }))).toBe('NOT_FOUND');
  });

  it('is for AUDITOR and ADMIN only', async () => {
    expect(refusal(await historyPage(t, {}, s.retailer.token))).toBe('FORBIDDEN');
    expect(refusal(await t.gql(null, 'query { ledgerTransactions { edges { cursor } } }'))).toBe('UNAUTHENTICATED');
  });
});

describe('ledgerTransactions: pages read while new purchases arrive', () => {
  // A ledger of its own: the purchases these walks add must not reach the tests above, which compare whole pages.
  let t: TestApp;
  let s: Shop;
  let a: string;
  let b: string;
  beforeAll(async () => {
    t = await startTestApp();
    s = await shop(t);
    a = await s.f.customer('Alice', 'A');
    b = await s.f.customer('Bob', 'B');
    for (let i = 0; i < 12; i++) await s.buy(i % 3 === 2 ? b : a, 1 + (i % 4));
  });
  afterAll(() => t.close());

  /**
   * Reads pages of 2 while purchases keep being recorded, in the background and between pages, over the first
   * pages' boundaries; then lets the walk finish (oldest first, a walk that keeps meeting new rows never would).
   */
  async function walkDuringPurchases(args: Parameters<typeof walk>[1], customerId: string): Promise<{ seen: TxNode[]; before: Set<string> }> {
    const before = new Set(ids((await walk(t, { ...args, first: 500 })).flat()));
    let running = true;
    const buyer = (async () => {
      while (running) await Promise.all([s.buy(customerId), s.buy(customerId === a ? b : a)]);
    })();
    const seen: TxNode[] = [];
    let after: string | null = null;
    try {
      for (let page = 1; ; page++) {
        const r = await historyPage(t, { ...args, first: 2, after });
        expect(r.errors).toBeUndefined();
        const { edges, pageInfo } = r.data!.ledgerTransactions;
        seen.push(...edges.map((e) => e.node));
        if (page <= 4) await s.buy(customerId); // a new row of the walk's own account between two pages
        if (page === 4) {
          running = false;
          await buyer;
        }
        if (!pageInfo.hasNextPage) break;
        after = pageInfo.endCursor;
      }
    } finally {
      running = false;
      await buyer;
    }
    return { seen, before };
  }

  for (const order of ['NEWEST_FIRST', 'OLDEST_FIRST'] as const) {
    for (const filtered of [false, true]) {
      it(`${order}${filtered ? ", one account's" : ''}: no duplicates, and every row that existed at the first page`, async () => {
        const args = { order, filter: filtered ? { accountCode: customerCode(a) } : undefined };
        const { seen, before } = await walkDuringPurchases(args, a);
        expect(new Set(ids(seen)).size).toBe(seen.length);
        for (const id of before) expect(ids(seen)).toContain(id);
        // Oldest first, the rows recorded during the walk come after the last old one and are read too. (Newest
        // first they land before the first page, except a transaction in flight at the first page that commits
        // behind the cursor: a row that did not exist then, which may or may not be read.)
        if (order === 'OLDEST_FIRST') expect(seen.length).toBeGreaterThan(before.size);
      });
    }
  }
});

describe('ledgerTransactions: ADMIN sees the same as AUDITOR', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    const s = await shop(t);
    await s.buy(await s.f.customer());
  });
  afterAll(() => t.close());

  it('returns the same page to both roles', async () => {
    const admin = await historyPage(t, {}, ADMIN_TOKEN);
    const auditor = await historyPage(t, {}, AUDITOR_TOKEN);
    expect(admin.errors).toBeUndefined();
    expect(admin.data).toEqual(auditor.data);
    expect(admin.data!.ledgerTransactions.edges).toHaveLength(1);
  });
});
