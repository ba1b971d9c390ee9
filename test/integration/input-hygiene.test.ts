import { Fixtures, ledgerSnapshot, recordPurchase } from '../support/fixtures';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { count, refusal, txn } from './helpers';

/**
 * Text that used to get past the edge: blank names that a service trimmed to '' and a CHECK then refused
 * (INTERNAL_SERVER_ERROR), a NUL that reached PostgreSQL, an unpaired surrogate stored as U+FFFD, transaction ids
 * with invisible edges, an award rate of 10,000 zeros. Each is refused as BAD_USER_INPUT with nothing written, and
 * its valid neighbour is accepted.
 */
describe('input hygiene', () => {
  let t: TestApp;
  let f: Fixtures;
  let pos: { id: string; token: string };
  let customerId: string;
  let productId: string;
  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    pos = await f.retailer();
    customerId = await f.customer();
    productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '10' });
  });
  afterAll(() => t.close());

  const rows = async () => ({
    customers: await count(t, 'customers'),
    products: await count(t, 'products'),
    retailers: await count(t, 'retailers'),
    promotions: await count(t, 'promotions'),
    tokens: await count(t, 'api_tokens'),
    ...(await ledgerSnapshot(t)),
  });

  /** Blank in every way the issue found, and in the other spaces and invisible characters Unicode has. */
  const BLANK_NAMES: Array<[string, string]> = [
    ['a space', ' '],
    ['a no-break space', '\u00a0'],
    ['a byte-order mark', '\ufeff'],
    ['a zero-width space', '\u200b'],
    ['an ideographic space', '\u3000'],
    ['a Hangul filler', '\u3164'],
    ['spaces of several kinds', ' \u2003\u00a0\u202f '],
  ];

  const CREATE_CUSTOMER = 'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id firstName lastName } }';
  const CREATE_PRODUCT = 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id name } }';
  const CREATE_RETAILER = 'mutation($input: CreateRetailerInput!) { createRetailer(input: $input) { retailer { id name region } } }';
  const CREATE_TOKEN = 'mutation($name: String!) { createAuditorToken(name: $name) { auditorToken { id name } } }';

  const nameCases = (name: string): Array<[string, string, Record<string, unknown>]> => [
    ['createCustomer firstName', CREATE_CUSTOMER, { input: { firstName: name, lastName: 'Lovelace' } }],
    ['createCustomer lastName', CREATE_CUSTOMER, { input: { firstName: 'Ada', lastName: name } }],
    ['createProduct', CREATE_PRODUCT, { input: { name, priceCents: 100 } }],
    ['createRetailer', CREATE_RETAILER, { input: { name } }],
    ['createAuditorToken', CREATE_TOKEN, { name }],
  ];

  it.each(BLANK_NAMES)('refuses a name of %s in every mutation that takes a name, writing nothing', async (_label, name) => {
    for (const [mutation, query, variables] of nameCases(name)) {
      const before = await rows();
      const r = await t.gql(ADMIN_TOKEN, query, variables);
      expect({ mutation, code: refusal(r) }).toEqual({ mutation, code: 'BAD_USER_INPUT' });
      expect(await rows()).toEqual(before);
    }
  });

  it('accepts names with spaces around them, and stores and answers the trimmed name', async () => {
    const customer = await t.gql<{ createCustomer: { id: string; firstName: string; lastName: string } }>(ADMIN_TOKEN, CREATE_CUSTOMER, {
      input: { firstName: '\u00a0Ada ', lastName: '\ufeffLove lace\u3000' },
    });
    expect(customer.errors).toBeUndefined();
    expect(customer.data?.createCustomer).toMatchObject({ firstName: 'Ada', lastName: 'Love lace' });
    const stored = await t.sql.query('select first_name, last_name from customers where id = $1', [customer.data?.createCustomer.id]);
    expect(stored.rows).toEqual([{ first_name: 'Ada', last_name: 'Love lace' }]);

    const product = await t.gql<{ createProduct: { name: string } }>(ADMIN_TOKEN, CREATE_PRODUCT, { input: { name: ' Stout ', priceCents: 100 } });
    expect(product.data?.createProduct.name).toBe('Stout');
    const retailer = await t.gql<{ createRetailer: { retailer: { name: string } } }>(ADMIN_TOKEN, CREATE_RETAILER, { input: { name: ' Shop\u00a0' } });
    expect(retailer.data?.createRetailer.retailer.name).toBe('Shop');
    const token = await t.gql<{ createAuditorToken: { auditorToken: { name: string } } }>(ADMIN_TOKEN, CREATE_TOKEN, { name: '\u200bJane (finance) ' });
    expect(token.data?.createAuditorToken.auditorToken.name).toBe('Jane (finance)');
  });

  it('counts the 200-character limit on the trimmed name', async () => {
    const fits = await t.gql(ADMIN_TOKEN, CREATE_PRODUCT, { input: { name: `  ${'n'.repeat(200)}  `, priceCents: 1 } });
    expect(fits.errors).toBeUndefined();
    const before = await rows();
    expect(refusal(await t.gql(ADMIN_TOKEN, CREATE_PRODUCT, { input: { name: 'n'.repeat(201), priceCents: 1 } }))).toBe('BAD_USER_INPUT');
    expect(await rows()).toEqual(before);
  });

  describe('transaction ids', () => {
    const valid = () => ({ customerId, productId, quantity: 1 });
    const PURCHASE = 'query($retailerId: ID!, $transactionId: String!) { purchase(retailerId: $retailerId, transactionId: $transactionId) { id } }';

    it('refuses a NUL in purchase(transactionId) before it reaches PostgreSQL; the id without it is looked up', async () => {
      expect(refusal(await t.gql(pos.token, PURCHASE, { retailerId: pos.id, transactionId: 'a\u0000b' }))).toBe('BAD_USER_INPUT');
      const neighbour = await t.gql(pos.token, PURCHASE, { retailerId: pos.id, transactionId: 'ab' });
      expect(neighbour).toEqual({ data: { purchase: null } });
    });

    it('refuses in purchase(transactionId) what recordPurchase refuses: invisible edges, lone surrogates, 129 characters', async () => {
      for (const transactionId of [' ', ' x', 'x\u00a0', '\ud800', 'k'.repeat(129)]) {
        const r = await t.gql(pos.token, PURCHASE, { retailerId: pos.id, transactionId });
        expect({ transactionId, code: refusal(r) }).toEqual({ transactionId, code: 'BAD_USER_INPUT' });
      }
    });

    const REFUSED_IDS: Array<[string, string]> = [
      ['an unpaired high surrogate', 'pos-\ud800'],
      ['an unpaired low surrogate', '\udc00-pos'],
      ['only a surrogate', '\ud800'],
      ['a single space', ' '],
      ['a leading space', ' x'],
      ['a trailing space', 'x '],
      ['a leading no-break space', '\u00a0x'],
      ['a trailing byte-order mark', 'x\ufeff'],
      ['a leading zero-width space', '\u200bx'],
      ['a line separator inside', 'x\u2028y'],
      ['a NUL inside', 'a\u0000b'],
    ];

    it.each(REFUSED_IDS)('recordPurchase refuses a transactionId with %s and writes nothing', async (_label, transactionId) => {
      const before = await rows();
      const r = await recordPurchase(t, pos.token, { transactionId, ...valid() });
      expect(refusal(r)).toBe('BAD_USER_INPUT');
      expect(await rows()).toEqual(before);
    });

    it('two ids that differ only in an unpaired surrogate no longer collide: both are refused', async () => {
      const before = await rows();
      expect(refusal(await recordPurchase(t, pos.token, { transactionId: 'twin-\ud800', ...valid() }))).toBe('BAD_USER_INPUT');
      expect(refusal(await recordPurchase(t, pos.token, { transactionId: 'twin-\udbff', ...valid() }))).toBe('BAD_USER_INPUT');
      expect(await rows()).toEqual(before);
    });

    it('accepts the neighbours, and answers each transactionId exactly as it was sent', async () => {
      const suffix = txn('');
      for (const transactionId of [`x${suffix}`, `a b${suffix}`, `\u{1F37A}${suffix}\u{1F37A}`, `Zoë${suffix}`]) {
        const r = await recordPurchase(t, pos.token, { transactionId, ...valid() });
        expect({ transactionId, errors: r.errors }).toEqual({ transactionId, errors: undefined });
        expect(r.data?.recordPurchase.purchase.transactionId).toBe(transactionId);
        const stored = await t.sql.query('select transaction_id from purchases where id = $1', [r.data?.recordPurchase.purchase.id]);
        expect(stored.rows).toEqual([{ transaction_id: transactionId }]);
      }
    });
  });

  describe('award rates', () => {
    const CREATE = 'mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id awardRate } }';
    const REVISE = 'mutation($id: ID!, $input: RevisePromotionInput!) { revisePromotion(id: $id, input: $input) { id awardRate } }';
    const base = () => ({ productId, startDate: '2026-01-01', endDate: '2026-01-31' });
    const longOne = `1.${'0'.repeat(10_000)}`;

    it('refuses "1." and 10,000 zeros in createPromotion and revisePromotion, writing nothing', async () => {
      const promotion = await f.promotion({ productId, awardRate: '1', startDate: '2026-01-01', endDate: '2026-01-31' });
      const before = await rows();
      expect(refusal(await t.gql(ADMIN_TOKEN, CREATE, { input: { ...base(), awardRate: longOne } }))).toBe('BAD_USER_INPUT');
      expect(refusal(await t.gql(ADMIN_TOKEN, REVISE, { id: promotion.id, input: { awardRate: longOne } }))).toBe('BAD_USER_INPUT');
      expect(await rows()).toEqual(before);
    });

    it('accepts the same rate written short', async () => {
      const r = await t.gql<{ createPromotion: { awardRate: string } }>(ADMIN_TOKEN, CREATE, { input: { ...base(), awardRate: '1.0000' } });
      expect(r.errors).toBeUndefined();
      expect(r.data?.createPromotion.awardRate).toBe('1');
    });
  });

  describe('other key-like text', () => {
    it('refuses a region with whitespace at an edge in createRetailer and createPromotion; accepts it without', async () => {
      const before = await rows();
      expect(refusal(await t.gql(ADMIN_TOKEN, CREATE_RETAILER, { input: { name: 'Shop', region: ' west' } }))).toBe('BAD_USER_INPUT');
      const promotion = { productId, startDate: '2026-01-01', endDate: '2026-01-31', awardRate: '1', region: 'west\u00a0' };
      const createPromotion = 'mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id } }';
      expect(refusal(await t.gql(ADMIN_TOKEN, createPromotion, { input: promotion }))).toBe('BAD_USER_INPUT');
      expect(await rows()).toEqual(before);

      const ok = await t.gql<{ createRetailer: { retailer: { region: string } } }>(ADMIN_TOKEN, CREATE_RETAILER, { input: { name: 'Shop', region: 'west' } });
      expect(ok.data?.createRetailer.retailer.region).toBe('west');
    });

    it('refuses an account code with a NUL or an invisible edge; finds the account by its plain code', async () => {
      const query = 'query($code: String!) { ledgerAccount(code: $code) { code } }';
      for (const code of ['program:liability\u0000', ' program:liability', 'program:liability\ufeff']) {
        expect({ code, refusal: refusal(await t.gql(AUDITOR_TOKEN, query, { code })) }).toEqual({ code, refusal: 'BAD_USER_INPUT' });
      }
      const ok = await t.gql<{ ledgerAccount: { code: string } }>(AUDITOR_TOKEN, query, { code: 'program:liability' });
      expect(ok.data?.ledgerAccount?.code).toBe('program:liability');
    });
  });
});
