import { Fixtures, ledgerSnapshot, recordPurchase } from '../support/fixtures';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { count, refusal, txn } from './helpers';

interface Operation {
  name: string;
  query: string;
  variables: Record<string, unknown>;
}

describe('authentication and roles', () => {
  let t: TestApp;
  let f: Fixtures;
  let pos: { id: string; token: string };
  let otherPos: { id: string; token: string };
  let customerId: string;
  let productId: string;
  let promotionId: string;
  let transactionId: string;

  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    pos = await f.retailer({ name: 'Own' });
    otherPos = await f.retailer({ name: 'Other' });
    customerId = await f.customer();
    productId = await f.product(1000);
    promotionId = (await f.promotion({ productId, awardRate: '1' })).id;
    transactionId = txn('existing');
    const r = await recordPurchase(t, pos.token, { transactionId, customerId, productId, quantity: 1 });
    expect(r.errors).toBeUndefined();
  });
  afterAll(() => t.close());

  /** Valid calls of every contract operation. */
  const ops = (): Record<string, Operation> => ({
    createRetailer: {
      name: 'createRetailer',
      query: 'mutation($input: CreateRetailerInput!) { createRetailer(input: $input) { authToken } }',
      variables: { input: { name: 'New shop' } },
    },
    createCustomer: {
      name: 'createCustomer',
      query: 'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }',
      variables: { input: { firstName: 'A', lastName: 'B' } },
    },
    createProduct: {
      name: 'createProduct',
      query: 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      variables: { input: { name: 'P', priceCents: 100 } },
    },
    createPromotion: {
      name: 'createPromotion',
      query: 'mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id } }',
      variables: { input: { productId, startDate: '2026-01-01', endDate: '2026-12-31', awardRate: '2' } },
    },
    revisePromotion: {
      name: 'revisePromotion',
      query: 'mutation($id: ID!, $input: RevisePromotionInput!) { revisePromotion(id: $id, input: $input) { id } }',
      variables: { id: promotionId, input: { awardRate: '3' } },
    },
    customer: { name: 'customer', query: 'query($id: ID!) { customer(id: $id) { pointBalance } }', variables: { id: customerId } },
    purchase: {
      name: 'purchase',
      query: 'query($r: ID!, $t: String!) { purchase(retailerId: $r, transactionId: $t) { id } }',
      variables: { r: pos.id, t: transactionId },
    },
    recordPurchase: {
      name: 'recordPurchase',
      query: 'mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { replayed } }',
      variables: { input: { transactionId: txn('auth'), customerId, productId, quantity: 1 } },
    },
  });
  const ADMIN_MUTATIONS = ['createRetailer', 'createCustomer', 'createProduct', 'createPromotion', 'revisePromotion'];

  /** Row counts of every table a call could write. */
  const everything = async () => ({
    ledger: await ledgerSnapshot(t),
    retailers: await count(t, 'retailers'),
    customers: await count(t, 'customers'),
    products: await count(t, 'products'),
    promotions: await count(t, 'promotions'),
  });

  async function expectRefused(token: string | null, op: Operation, code: string) {
    const before = await everything();
    const r = await t.gql(token, op.query, op.variables);
    expect({ op: op.name, code: refusal(r) }).toEqual({ op: op.name, code });
    expect(r.data?.[op.name as never] ?? null).toBeNull();
    expect(await everything()).toEqual(before);
  }

  it('refuses every operation without a token: UNAUTHENTICATED', async () => {
    for (const op of Object.values(ops())) await expectRefused(null, op, 'UNAUTHENTICATED');
  });

  it('refuses every operation with an unknown token: UNAUTHENTICATED', async () => {
    for (const op of Object.values(ops())) await expectRefused('pos_not-a-real-token', op, 'UNAUTHENTICATED');
    // A token that differs from the admin's by one character is not the admin's.
    for (const op of Object.values(ops())) await expectRefused(`${ADMIN_TOKEN}x`, op, 'UNAUTHENTICATED');
  });

  it('refuses a header that is not a bearer token: UNAUTHENTICATED', async () => {
    const op = ops().customer;
    for (const authorization of [`Basic ${ADMIN_TOKEN}`, ADMIN_TOKEN, 'Bearer', '']) {
      const response = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query: op.query, variables: op.variables }),
      });
      const r = (await response.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> };
      expect({ authorization, code: refusal(r) }).toEqual({ authorization, code: 'UNAUTHENTICATED' });
    }
  });

  it('refuses POS tokens on back-office operations and customer reads: FORBIDDEN', async () => {
    const all = ops();
    for (const name of [...ADMIN_MUTATIONS, 'customer']) await expectRefused(pos.token, all[name], 'FORBIDDEN');
  });

  it('refuses AUDITOR tokens on back-office mutations: FORBIDDEN', async () => {
    const all = ops();
    for (const name of ADMIN_MUTATIONS) await expectRefused(AUDITOR_TOKEN, all[name], 'FORBIDDEN');
  });

  it('refuses ADMIN and AUDITOR tokens on recordPurchase: FORBIDDEN', async () => {
    await expectRefused(ADMIN_TOKEN, ops().recordPurchase, 'FORBIDDEN');
    await expectRefused(AUDITOR_TOKEN, ops().recordPurchase, 'FORBIDDEN');
  });

  it("refuses a POS reading another retailer's purchase, whether it exists or not: FORBIDDEN", async () => {
    const query = 'query($r: ID!, $t: String!) { purchase(retailerId: $r, transactionId: $t) { id pointsEarned } }';
    const existing = await t.gql(otherPos.token, query, { r: pos.id, t: transactionId });
    expect(refusal(existing)).toBe('FORBIDDEN');
    expect(existing.data?.purchase ?? null).toBeNull();
    const absent = await t.gql(otherPos.token, query, { r: pos.id, t: 'nothing-here' });
    expect(refusal(absent)).toBe('FORBIDDEN');
    // Its own retailer id in upper case is still its own.
    const own = await t.gql<{ purchase: { id: string } | null }>(pos.token, query, { r: pos.id.toUpperCase(), t: transactionId });
    expect(own.errors).toBeUndefined();
    expect(own.data?.purchase?.id).toEqual(expect.any(String));
  });

  it('lets each role do what it may (the refusals above are not refusing everything)', async () => {
    const all = ops();
    for (const name of [...ADMIN_MUTATIONS, 'customer', 'purchase']) {
      const r = await t.gql(ADMIN_TOKEN, all[name].query, all[name].variables);
      expect({ name, errors: r.errors }).toEqual({ name, errors: undefined });
    }
    for (const name of ['customer', 'purchase']) {
      const r = await t.gql<Record<string, unknown>>(AUDITOR_TOKEN, all[name].query, all[name].variables);
      expect({ name, errors: r.errors }).toEqual({ name, errors: undefined });
      expect(r.data?.[name]).not.toBeNull();
    }
    const r = await t.gql<{ recordPurchase: { replayed: boolean } }>(pos.token, all.recordPurchase.query, all.recordPurchase.variables);
    expect(r.errors).toBeUndefined();
    expect(r.data?.recordPurchase.replayed).toBe(false);
  });

  describe('auth is checked before the input rules', () => {
    const badPurchase = () => ({
      transactionId: '',
      customerId: 'not-a-uuid',
      productId: 'also-not-a-uuid',
      quantity: 0,
      unitPriceCents: -1,
    });
    const recordQuery = 'mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { replayed } }';

    it('a purchase with invalid values and no or an unknown token gets UNAUTHENTICATED', async () => {
      for (const token of [null, 'unknown-token']) {
        const r = await t.gql(token, recordQuery, { input: badPurchase() });
        expect(refusal(r)).toBe('UNAUTHENTICATED');
      }
      const stale = await t.gql('unknown-token', recordQuery, {
        input: { transactionId: 'x', customerId, productId, quantity: 1, purchasedAt: '2000-01-01T00:00:00Z' },
      });
      expect(refusal(stale)).toBe('UNAUTHENTICATED');
      const unknownCustomer = await t.gql(null, recordQuery, {
        input: { transactionId: 'x', customerId: '00000000-0000-4000-8000-000000000000', productId, quantity: 1 },
      });
      expect(refusal(unknownCustomer)).toBe('UNAUTHENTICATED');
    });

    it('a purchase with invalid values and a wrong-role token gets FORBIDDEN', async () => {
      for (const token of [ADMIN_TOKEN, AUDITOR_TOKEN]) {
        const r = await t.gql(token, recordQuery, { input: badPurchase() });
        expect(refusal(r)).toBe('FORBIDDEN');
      }
    });

    it('back-office calls with invalid values get UNAUTHENTICATED or FORBIDDEN', async () => {
      const badPromotion = {
        query: 'mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id } }',
        variables: {
          input: { productId: 'nope', retailerId: pos.id, region: 'west', startDate: '2026-02-01', endDate: '2026-01-01', awardRate: '-1' },
        },
      };
      const badProduct = { query: 'mutation { createProduct(input: { name: "", priceCents: -5 }) { id } }', variables: {} };
      const badRetailer = { query: 'mutation { createRetailer(input: { name: "", timezone: "Mars/Olympus" }) { authToken } }', variables: {} };
      const badRevision = {
        // "1.12345" passes the Decimal scalar; its 5 decimals break an input rule, checked after auth.
        query: 'mutation($id: ID!, $input: RevisePromotionInput!) { revisePromotion(id: $id, input: $input) { id } }',
        variables: { id: 'not-a-uuid', input: { awardRate: '1.12345', startDate: '2026-05-01', endDate: '2026-01-01' } },
      };
      const badCustomerRead = { query: 'query { customer(id: "not-a-uuid") { id } }', variables: {} };
      for (const op of [badPromotion, badProduct, badRetailer, badRevision, badCustomerRead]) {
        expect(refusal(await t.gql(null, op.query, op.variables))).toBe('UNAUTHENTICATED');
        expect(refusal(await t.gql('unknown-token', op.query, op.variables))).toBe('UNAUTHENTICATED');
        expect(refusal(await t.gql(pos.token, op.query, op.variables))).toBe('FORBIDDEN');
      }
      for (const op of [badPromotion, badProduct, badRetailer, badRevision]) {
        expect(refusal(await t.gql(AUDITOR_TOKEN, op.query, op.variables))).toBe('FORBIDDEN');
      }
    });

    it('a refused purchase writes nothing and leaves the key free', async () => {
      const key = txn('later');
      const input = { transactionId: key, customerId, productId, quantity: 2 };
      expect(refusal(await t.gql(null, recordQuery, { input }))).toBe('UNAUTHENTICATED');
      expect(refusal(await t.gql(ADMIN_TOKEN, recordQuery, { input }))).toBe('FORBIDDEN');
      expect(await count(t, 'purchases', 'transaction_id = $1', [key])).toBe(0);
      const r = await recordPurchase(t, pos.token, input);
      expect(r.errors).toBeUndefined();
      expect(r.data?.recordPurchase.replayed).toBe(false);
    });
  });
});
