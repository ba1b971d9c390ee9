import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { refusal } from '../integration/helpers';
import { customerCode, LIABILITY, shiftMicros, shop, walk } from './helpers';

const ACCOUNT = `query($code: String!, $asOf: DateTime) {
  ledgerAccount(code: $code, asOf: $asOf) { id code kind customerId balance asOf }
}`;

interface Account {
  ledgerAccount: { id: string; code: string; kind: string; customerId: string | null; balance: string; asOf: string | null } | null;
}

describe('ledgerAccount: balance now and as of an instant', () => {
  let t: TestApp;
  let customerId: string;
  let otherId: string;
  /** recordedAt of the customer's three purchases (10, 20 and 30 points), oldest first. */
  let recorded: string[];

  const balance = async (code: string, asOf?: string, token = AUDITOR_TOKEN) => {
    const r = await t.gql<Account>(token, ACCOUNT, { code, asOf });
    expect(r.errors).toBeUndefined();
    return r.data!.ledgerAccount?.balance;
  };

  beforeAll(async () => {
    t = await startTestApp();
    const s = await shop(t);
    customerId = await s.f.customer('Ada', 'Lovelace');
    otherId = await s.f.customer('Other', 'Customer');
    await s.buy(customerId, 1);
    await s.buy(otherId, 5);
    await s.buy(customerId, 2);
    await s.buy(customerId, 3);
    const pages = await walk(t, { filter: { accountCode: customerCode(customerId) }, order: 'OLDEST_FIRST' });
    recorded = pages.flat().map((node) => node.recordedAt);
    expect(recorded).toHaveLength(3);
  });
  afterAll(() => t.close());

  it("describes a customer's account and the liability, with the balance now", async () => {
    const r = await t.gql<Account>(AUDITOR_TOKEN, ACCOUNT, { code: customerCode(customerId) });
    expect(r.data!.ledgerAccount).toEqual({
      id: customerId,
      code: customerCode(customerId),
      kind: 'CUSTOMER',
      customerId,
      balance: '60',
      asOf: null,
    });
    const liability = await t.gql<Account>(ADMIN_TOKEN, ACCOUNT, { code: LIABILITY });
    expect(liability.data!.ledgerAccount).toMatchObject({ code: LIABILITY, kind: 'LIABILITY', customerId: null, balance: '-110' });
  });

  it('gives the balance as of each purchase, including the transaction recorded at that very instant', async () => {
    expect(await balance(customerCode(customerId), recorded[0])).toBe('10');
    expect(await balance(customerCode(customerId), recorded[1])).toBe('30');
    expect(await balance(customerCode(customerId), recorded[2])).toBe('60');
    expect(await balance(customerCode(customerId), shiftMicros(recorded[0], -1n))).toBe('0');
    expect(await balance(customerCode(customerId), shiftMicros(recorded[1], -1n))).toBe('10');
    expect(await balance(LIABILITY, recorded[1])).toBe('-80'); // 10 + 50 + 20 credited by then
  });

  it('reads before the first and after the last purchase, and any spelling of an instant', async () => {
    expect(await balance(customerCode(customerId), '2000-01-01T00:00:00Z')).toBe('0');
    expect(await balance(customerCode(customerId), '2999-01-01T00:00:00+09:00')).toBe('60');
    const r = await t.gql<Account>(AUDITOR_TOKEN, ACCOUNT, { code: customerCode(customerId), asOf: '2000-01-01T01:00:00+01:00' });
    expect(r.data!.ledgerAccount!.asOf).toBe('2000-01-01T00:00:00.000000Z');
  });

  it('matches the customer query and finds an account whatever the case of its uuid', async () => {
    const customer = await t.gql<{ customer: { pointBalance: string } }>(AUDITOR_TOKEN, 'query($id: ID!) { customer(id: $id) { pointBalance } }', {
      id: customerId,
    });
    expect(await balance(customerCode(customerId).toUpperCase())).toBe(customer.data!.customer.pointBalance);
  });

  it('returns null for an unknown code and refuses bad input', async () => {
    expect((await t.gql<Account>(AUDITOR_TOKEN, ACCOUNT, { code: 'customer:00000000-0000-4000-8000-000000000000' })).data).toEqual({
      ledgerAccount: null,
    });
    expect(refusal(await t.gql(AUDITOR_TOKEN, ACCOUNT, { code: '' }))).toBe('BAD_USER_INPUT');
    expect(refusal(await t.gql(AUDITOR_TOKEN, ACCOUNT, { code: LIABILITY, asOf: '2026-11-24T10:00:00' }))).toBe('BAD_USER_INPUT');
  });

  it('is for AUDITOR and ADMIN only', async () => {
    const s = await shop(t);
    expect(refusal(await t.gql(s.retailer.token, ACCOUNT, { code: LIABILITY }))).toBe('FORBIDDEN');
    expect(refusal(await t.gql(null, ACCOUNT, { code: LIABILITY }))).toBe('UNAUTHENTICATED');
  });
});
