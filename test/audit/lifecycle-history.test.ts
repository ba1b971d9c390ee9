import { Client } from 'pg';
import { exportLedger } from '../../src/audit/ledger-export';
import { ExportFormat } from '../../src/audit/export-format';
import { refusal } from '../integration/helpers';
import { adjust, cancelRedemption, redeem, store } from '../reconciliation/lifecycle-kit';
import { AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { customerCode, historyPage, LIABILITY, PageArgs, TxNode, walk } from './helpers';

const ids = (nodes: TxNode[]) => nodes.map((n) => n.id);
const entriesOf = (node: TxNode) => node.entries.map((e) => [e.accountCode, e.amount]);

/**
 * The auditors' view of returns, redemptions, cancellations and adjustments: each ledger transaction names the row
 * it records, who made it and why; the history filters by kind and by each reference; the export carries them.
 */
describe('ledger history of the points lifecycle', () => {
  let t: TestApp;
  let ada: string;
  let bob: string;
  let sale: { id: string; transactionId: string };
  let returns: Array<{ id: string }>;
  let redemption: string;
  let bobRedemption: string;
  let adjustment: string;
  /** Every ledger transaction, oldest first. */
  let all: TxNode[];
  const only = (kind: string) => all.filter((n) => n.kind === kind);

  beforeAll(async () => {
    t = await startTestApp();
    const s = await store(t);
    ada = await s.f.customer('Ada');
    bob = await s.f.customer('Bob');
    sale = await s.buy(ada, s.products.round, 4); // 400 points
    await s.buy(bob, s.products.round, 2); // 200 points
    returns = [await s.giveBack(sale, 1), await s.giveBack(sale, 1)]; // 100 back each
    redemption = await redeem(t, ada, 150n, 'rewards-desk');
    await cancelRedemption(t, redemption, 'admin');
    bobRedemption = await redeem(t, bob, 20n, 'rewards-desk');
    adjustment = await adjust(t, ada, -30n, 'double credit, "fixed"', 'admin');
    all = (await walk(t, { order: 'OLDEST_FIRST' }, AUDITOR_TOKEN)).flat();
  });
  afterAll(() => t.close());

  const walkIds = async (args: PageArgs) => ids((await walk(t, { order: 'OLDEST_FIRST', first: 1, ...args })).flat());

  it('shows each kind with the row it records, the purchase returned, who made it and why', () => {
    expect(all.map((n) => n.kind)).toEqual([
      'PURCHASE',
      'PURCHASE',
      'RETURN',
      'RETURN',
      'REDEMPTION',
      'CANCELLATION',
      'REDEMPTION',
      'ADJUSTMENT',
    ]);
    const none = { returnId: null, redemptionId: null, adjustmentId: null, actor: null, reason: null };
    expect(all[0]).toMatchObject({ key: `purchase:${sale.id}`, purchaseId: sale.id, ...none });
    only('RETURN').forEach((node, i) => {
      expect(node).toMatchObject({ key: `return:${returns[i].id}`, purchaseId: sale.id, ...none, returnId: returns[i].id });
      expect(entriesOf(node)).toEqual([
        [customerCode(ada), '-100'],
        ['program:returns', '100'],
      ]);
      // Recorded without a returnedAt: the return happened when it was recorded.
      expect(node.effectiveAt).toBe(node.recordedAt);
    });
    const [redeemed, cancelled] = [only('REDEMPTION')[0], only('CANCELLATION')[0]];
    expect(redeemed).toMatchObject({ key: `redemption:${redemption}`, purchaseId: null, ...none, redemptionId: redemption, actor: 'rewards-desk' });
    expect(entriesOf(redeemed)).toEqual([
      [customerCode(ada), '-150'],
      ['program:redemptions', '150'],
    ]);
    // The cancellation's own actor, not the redemption's.
    expect(cancelled).toMatchObject({ key: `cancellation:${redemption}`, purchaseId: null, ...none, redemptionId: redemption, actor: 'admin' });
    expect(entriesOf(cancelled)).toEqual([
      [customerCode(ada), '150'],
      ['program:cancellations', '-150'],
    ]);
    expect(only('ADJUSTMENT')[0]).toMatchObject({
      key: `adjustment:${adjustment}`,
      purchaseId: null,
      ...none,
      adjustmentId: adjustment,
      actor: 'admin',
      reason: 'double credit, "fixed"',
    });
    expect(entriesOf(only('ADJUSTMENT')[0])).toEqual([
      [customerCode(ada), '-30'],
      ['program:adjustments', '30'],
    ]);
  });

  it('filters by each new kind, across pages', async () => {
    for (const kind of ['RETURN', 'REDEMPTION', 'CANCELLATION', 'ADJUSTMENT']) {
      expect(await walkIds({ filter: { kind } })).toEqual(ids(only(kind)));
    }
    expect(only('REDEMPTION')).toHaveLength(2);
  });

  it("filters by a purchase: its transaction and its returns', with the other filters and across pages", async () => {
    const expected = [all[0].id, ...ids(only('RETURN'))];
    expect(await walkIds({ filter: { purchaseId: sale.id } })).toEqual(expected);
    expect(ids((await walk(t, { filter: { purchaseId: sale.id }, first: 2 })).flat())).toEqual([...expected].reverse());
    expect(await walkIds({ filter: { purchaseId: sale.id, kind: 'RETURN' } })).toEqual(ids(only('RETURN')));
    expect(await walkIds({ filter: { purchaseId: sale.id, accountCode: LIABILITY } })).toEqual([all[0].id]);
    expect(await walkIds({ filter: { purchaseId: sale.id, accountCode: 'program:returns' } })).toEqual(ids(only('RETURN')));
    expect(await walkIds({ filter: { purchaseId: sale.id, returnId: returns[1].id } })).toEqual([only('RETURN')[1].id]);
  });

  it('filters by a redemption (with its cancellation), a return and an adjustment', async () => {
    expect(await walkIds({ filter: { redemptionId: redemption } })).toEqual([only('REDEMPTION')[0].id, only('CANCELLATION')[0].id]);
    expect(await walkIds({ filter: { redemptionId: redemption, kind: 'CANCELLATION' } })).toEqual([only('CANCELLATION')[0].id]);
    expect(await walkIds({ filter: { redemptionId: bobRedemption, accountCode: customerCode(bob) } })).toEqual([only('REDEMPTION')[1].id]);
    expect(await walkIds({ filter: { returnId: returns[0].id } })).toEqual([only('RETURN')[0].id]);
    expect(await walkIds({ filter: { adjustmentId: adjustment.toUpperCase() } })).toEqual([only('ADJUSTMENT')[0].id]);
    // Filters combine: a return of this purchase is not Bob's redemption; an id that names nothing gives nothing.
    expect(await walkIds({ filter: { returnId: returns[0].id, redemptionId: bobRedemption } })).toEqual([]);
    expect(await walkIds({ filter: { purchaseId: adjustment } })).toEqual([]);
  });

  it('keeps a reference in the cursor: another reference is refused, another spelling of the same one is not', async () => {
    const first = await historyPage(t, { filter: { purchaseId: sale.id }, first: 1 });
    const cursor = first.data!.ledgerTransactions.pageInfo.endCursor;
    expect(cursor).toEqual(expect.any(String));
    expect((await historyPage(t, { filter: { purchaseId: sale.id.toUpperCase() }, first: 1, after: cursor })).errors).toBeUndefined();
    expect(refusal(await historyPage(t, { filter: { purchaseId: returns[0].id }, first: 1, after: cursor }))).toBe('BAD_USER_INPUT');
    expect(refusal(await historyPage(t, { filter: { purchaseId: sale.id, returnId: returns[0].id }, after: cursor }))).toBe('BAD_USER_INPUT');
    expect(refusal(await historyPage(t, { first: 1, after: cursor }))).toBe('BAD_USER_INPUT');
    for (const filter of [{ purchaseId: 'not-a-uuid' }, { returnId: '42' }, { redemptionId: '' }, { adjustmentId: `${adjustment}x` }]) {
      expect(refusal(await historyPage(t, { filter }))).toBe('BAD_USER_INPUT');
    }
  });

  it('exports the references, actor and reason with every entry, in NDJSON and CSV', async () => {
    const run = async (format: ExportFormat) => {
      const client = new Client({ connectionString: t.db.serviceUrl });
      await client.connect();
      let text = '';
      try {
        await exportLedger(client, { from: null, to: null, format, write: async (chunk) => void (text += chunk) });
      } finally {
        await client.end();
      }
      return text.trimEnd().split('\n');
    };
    const lines = (await run('ndjson')).map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2 * all.length);
    const byTransaction = (id: string) => lines.filter((l) => l.transactionId === id);
    for (const node of all) {
      for (const line of byTransaction(node.id)) {
        expect(line).toMatchObject({
          kind: node.kind.toLowerCase(),
          purchaseId: node.purchaseId,
          returnId: node.returnId,
          redemptionId: node.redemptionId,
          adjustmentId: node.adjustmentId,
          actor: node.actor,
          reason: node.reason,
        });
      }
    }
    expect(byTransaction(only('ADJUSTMENT')[0].id).map((l) => [l.accountCode, l.amount, l.reason])).toEqual([
      [customerCode(ada), '-30', 'double credit, "fixed"'],
      ['program:adjustments', '30', 'double credit, "fixed"'],
    ]);

    const csv = await run('csv');
    expect(csv[0].split(',').slice(9)).toEqual(['amount', 'return_id', 'redemption_id', 'adjustment_id', 'actor', 'reason']);
    const adjustmentRow = csv.find((row) => row.includes(`,program:adjustments,`))!;
    expect(adjustmentRow.endsWith(`,30,,,${adjustment},admin,"double credit, ""fixed"""`)).toBe(true);
    const returnRow = csv.find((row) => row.includes(`,program:returns,`))!;
    expect(returnRow.split(',').slice(4, 5).concat(returnRow.split(',').slice(9))).toEqual([
      sale.id,
      '100',
      returns[0].id,
      '',
      '',
      '',
      '',
    ]);
  });
});

describe('trial balance with every kind of movement', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it("lists each program account with its movements' points, and with the customers' balances they sum to zero", async () => {
    const s = await store(t);
    const ada = await s.f.customer('Ada');
    const sale = await s.buy(ada, s.products.round, 4); // +400
    await s.giveBack(sale, 1); // -100
    await cancelRedemption(t, await redeem(t, ada, 150n)); // -150, then +150
    await redeem(t, ada, 60n); // -60
    await adjust(t, ada, -30n, 'double credit'); // -30
    const r = await t.gql<{
      trialBalance: { total: string; accounts: { edges: Array<{ node: { code: string; kind: string; balance: string } }> } };
    }>(AUDITOR_TOKEN, 'query { trialBalance(first: 500) { total accounts { edges { node { code kind balance } } } } }');
    expect(r.errors).toBeUndefined();
    const { total, accounts } = r.data!.trialBalance;
    expect(accounts.edges.map((e) => e.node)).toEqual([
      { code: customerCode(ada), kind: 'CUSTOMER', balance: '210' },
      { code: 'program:adjustments', kind: 'PROGRAM', balance: '30' },
      { code: 'program:cancellations', kind: 'PROGRAM', balance: '-150' },
      { code: 'program:liability', kind: 'LIABILITY', balance: '-400' },
      { code: 'program:redemptions', kind: 'PROGRAM', balance: '210' },
      { code: 'program:returns', kind: 'PROGRAM', balance: '100' },
    ]);
    expect(total).toBe('0');
    // What the program owes (minus its accounts' sum) is what the customers hold.
    const sum = (kinds: string[]) =>
      accounts.edges.filter((e) => kinds.includes(e.node.kind)).reduce((n, e) => n + BigInt(e.node.balance), 0n);
    expect(-sum(['LIABILITY', 'PROGRAM'])).toBe(sum(['CUSTOMER']));
    expect(sum(['LIABILITY', 'PROGRAM']) + sum(['CUSTOMER'])).toBe(0n);
  });
});
