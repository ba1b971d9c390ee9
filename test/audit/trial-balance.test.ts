import { ADMIN_TOKEN, AUDITOR_TOKEN, GraphqlResponse, startTestApp, TestApp } from '../support/test-app';
import { refusal } from '../integration/helpers';
import { customerCode, LIABILITY, shop, walk } from './helpers';

const TRIAL_BALANCE = `query($asOf: DateTime, $first: Int, $after: String) {
  trialBalance(asOf: $asOf, first: $first, after: $after) {
    asOf total
    accounts { edges { cursor node { code kind customerId balance asOf } } pageInfo { hasNextPage endCursor } }
  }
}`;

interface TrialBalance {
  trialBalance: {
    asOf: string | null;
    total: string;
    accounts: {
      edges: Array<{ cursor: string; node: { code: string; kind: string; customerId: string | null; balance: string; asOf: string | null } }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
}

describe('trialBalance', () => {
  let t: TestApp;
  let customers: string[];
  let lateCustomer: string;
  /** An instant after the first three purchases and before the rest. */
  let midway: string;

  /** Every page; the totals each page reported; every account's balance by code. */
  async function walkTrialBalance(asOf: string | null, first: number, token = AUDITOR_TOKEN) {
    const balances = new Map<string, bigint>();
    const totals = new Set<string>();
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const r: GraphqlResponse<TrialBalance> = await t.gql<TrialBalance>(token, TRIAL_BALANCE, { asOf, first, after });
      expect(r.errors).toBeUndefined();
      const { total, accounts } = r.data!.trialBalance;
      totals.add(total);
      pages += 1;
      expect(accounts.edges.length).toBeLessThanOrEqual(first);
      for (const { node } of accounts.edges) {
        expect(balances.has(node.code)).toBe(false);
        balances.set(node.code, BigInt(node.balance));
      }
      if (!accounts.pageInfo.hasNextPage) return { balances, totals, pages };
      after = accounts.pageInfo.endCursor;
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    const s = await shop(t);
    customers = [];
    for (let i = 0; i < 5; i++) customers.push(await s.f.customer('Trial', `Customer ${i}`));
    for (let i = 0; i < 3; i++) await s.buy(customers[i], i + 1); // 10, 20, 30
    const history = (await walk(t, { order: 'OLDEST_FIRST' })).flat();
    midway = history[history.length - 1].recordedAt;
    lateCustomer = await s.f.customer('Late', 'Comer');
    for (let i = 0; i < 5; i++) await s.buy(customers[i], 2); // +20 each
    await s.buy(lateCustomer, 4);
  });
  afterAll(() => t.close());

  it('totals zero, and the pages list every account once with balances that sum to the total', async () => {
    const { balances, totals, pages } = await walkTrialBalance(null, 2);
    expect([...totals]).toEqual(['0']);
    expect(pages).toBe(6); // the liability, the four lifecycle program accounts and 6 customers, 2 a page
    const { rows } = await t.sql.query<{ code: string }>('select code from accounts order by code');
    expect([...balances.keys()]).toEqual(rows.map((r) => r.code));
    expect([...balances.values()].reduce((s, b) => s + b, 0n)).toBe(0n);
    expect(balances.get(customerCode(customers[0]))).toBe(30n);
    expect(balances.get(customerCode(customers[4]))).toBe(20n);
    expect(balances.get(customerCode(lateCustomer))).toBe(40n);
    expect(balances.get(LIABILITY)).toBe(-(10n + 20n + 30n + 5n * 20n + 40n));
  });

  it('as of an instant: the balances then, only the accounts that existed then, still totalling zero', async () => {
    const { balances, totals } = await walkTrialBalance(midway, 3);
    expect([...totals]).toEqual(['0']);
    expect(balances.has(customerCode(lateCustomer))).toBe(false);
    expect(balances.get(LIABILITY)).toBe(-60n);
    expect(customers.map((c) => balances.get(customerCode(c)))).toEqual([10n, 20n, 30n, 0n, 0n]);
    expect([...balances.values()].reduce((s, b) => s + b, 0n)).toBe(0n);
    const r = await t.gql<TrialBalance>(ADMIN_TOKEN, TRIAL_BALANCE, { asOf: midway, first: 1 });
    expect(r.data!.trialBalance.asOf).toBe(midway);
    expect(r.data!.trialBalance.accounts.edges[0].node.asOf).toBe(midway);
  });

  it('agrees with ledgerAccount for every account, now and as of the instant', async () => {
    for (const asOf of [null, midway]) {
      const { balances } = await walkTrialBalance(asOf, 500);
      for (const [code, balance] of balances) {
        const r = await t.gql<{ ledgerAccount: { balance: string } }>(AUDITOR_TOKEN, 'query($c: String!, $a: DateTime) { ledgerAccount(code: $c, asOf: $a) { balance } }', {
          c: code,
          a: asOf,
        });
        expect(BigInt(r.data!.ledgerAccount.balance)).toBe(balance);
      }
    }
  });

  it('refuses a cursor of another asOf, a made-up cursor and a page above 500', async () => {
    const r = await t.gql<TrialBalance>(AUDITOR_TOKEN, TRIAL_BALANCE, { first: 1 });
    const cursor = r.data!.trialBalance.accounts.pageInfo.endCursor;
    expect(refusal(await t.gql(AUDITOR_TOKEN, TRIAL_BALANCE, { first: 1, after: cursor, asOf: midway }))).toBe('BAD_USER_INPUT');
    expect(refusal(await t.gql(AUDITOR_TOKEN, 'query($a: String) { trialBalance(after: $a) { total } }', { a: 'garbage' }))).toBe('BAD_USER_INPUT');
    expect(refusal(await t.gql(AUDITOR_TOKEN, TRIAL_BALANCE, { first: 501 }))).toBe('BAD_USER_INPUT');
  });

  it('is for AUDITOR and ADMIN only', async () => {
    const s = await shop(t);
    expect(refusal(await t.gql(s.retailer.token, TRIAL_BALANCE, {}))).toBe('FORBIDDEN');
    expect(refusal(await t.gql(null, TRIAL_BALANCE, {}))).toBe('UNAUTHENTICATED');
  });
});
