import { errorCodes, graphqlData, graphqlErrors, RawResponse } from './support/http-client';
import { leakedInternals } from './support/internals';
import { purchaseCount, RECORD_PURCHASE, Seed, seed, validPurchase } from './support/seed';
import { ADMIN_TOKEN, ServiceProcess, startService } from './support/service-process';

/** Findings 4 and 5 and the award-rate part of 7: bad input is BAD_USER_INPUT, stored nowhere, never an internal error. */
describe('hostile input: input hygiene (issue 9, findings 4, 5, 7)', () => {
  let service: ServiceProcess;
  let data: Seed;

  beforeAll(async () => {
    service = await startService();
    data = await seed(service);
  }, 240_000);

  afterAll(async () => {
    await service?.stop();
  }, 30_000);

  afterEach(() => {
    if (service.died()) throw new Error(`the service ${service.exitDescription()}:\n${service.tail()}`);
  });

  const rows = async (table: string) => Number((await service.sql.query<{ n: string }>(`select count(*)::text as n from ${table}`)).rows[0].n);

  const expectRefused = (response: RawResponse, code = 'BAD_USER_INPUT') => {
    expect(response.status).toBeLessThan(500);
    expect(errorCodes(response)).toEqual([code]);
    expect(leakedInternals(response, '')).toEqual([]);
  };

  const WHITESPACE_NAMES: Array<[string, string]> = [
    ['a space', ' '],
    ['U+00A0', '\u00a0'],
    ['U+FEFF', '\ufeff'],
  ];

  describe.each(WHITESPACE_NAMES)('finding 4: a name of only %s', (_label, name) => {
    it('createCustomer: BAD_USER_INPUT, no customer', async () => {
      const before = await rows('customers');
      expectRefused(
        await service.gql(ADMIN_TOKEN, 'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', {
          input: { firstName: name, lastName: 'Valid' },
        }),
      );
      expectRefused(
        await service.gql(ADMIN_TOKEN, 'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', {
          input: { firstName: 'Valid', lastName: name },
        }),
      );
      expect(await rows('customers')).toBe(before);
    });

    it('createProduct: BAD_USER_INPUT, no product', async () => {
      const before = await rows('products');
      expectRefused(
        await service.gql(ADMIN_TOKEN, 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
          input: { name, priceCents: 100 },
        }),
      );
      expect(await rows('products')).toBe(before);
    });

    it('createRetailer: BAD_USER_INPUT, no retailer', async () => {
      const before = await rows('retailers');
      expectRefused(
        await service.gql(ADMIN_TOKEN, 'mutation($input: CreateRetailerInput!) { createRetailer(input: $input) { authToken } }', {
          input: { name, timezone: 'UTC' },
        }),
      );
      expect(await rows('retailers')).toBe(before);
    });

    it('createAuditorToken: BAD_USER_INPUT, no token', async () => {
      const before = await rows('api_tokens');
      expectRefused(
        await service.gql(ADMIN_TOKEN, 'mutation($name: String!) { createAuditorToken(name: $name) { authToken } }', { name }),
      );
      expect(await rows('api_tokens')).toBe(before);
    });
  });

  const refusedTransactionIds: Array<[string, string]> = [
    ['a NUL byte (finding 4)', 'a\u0000b'],
    ['an unpaired high surrogate (finding 5)', 'x\ud800y'],
    ['an unpaired low surrogate (finding 5)', '\udc00'],
    ['a single space (finding 5)', ' '],
    ['a leading space (finding 5)', ' x'],
    ['a trailing space (finding 5)', 'x '],
  ];

  it.each(refusedTransactionIds)('recordPurchase with a transactionId of %s: BAD_USER_INPUT, nothing recorded', async (_label, transactionId) => {
    const before = await purchaseCount(service);
    expectRefused(await service.gql(data.retailers[0].token, RECORD_PURCHASE, { input: { ...validPurchase(data), transactionId } }));
    expect(await purchaseCount(service)).toBe(before);
  });

  it('finding 4: purchase(transactionId: "a\\u0000b") with a POS token is BAD_USER_INPUT, not a database error', async () => {
    expectRefused(
      await service.gql(data.retailers[0].token, 'query($r: ID!, $t: String!) { purchase(retailerId: $r, transactionId: $t) { id } }', {
        r: data.retailers[0].id,
        t: 'a\u0000b',
      }),
    );
  });

  it('finding 5: a transactionId with an unpaired surrogate never collides with the U+FFFD one', async () => {
    const replaced = { ...validPurchase(data), transactionId: `s-${Date.now()}-\ufffd` };
    const recorded = await service.gql(data.retailers[0].token, RECORD_PURCHASE, { input: replaced });
    expect(graphqlErrors(recorded)).toEqual([]);
    const lone = await service.gql(data.retailers[0].token, RECORD_PURCHASE, {
      input: { ...replaced, transactionId: replaced.transactionId.replace('\ufffd', '\ud800') },
    });
    expectRefused(lone);
  });

  it('finding 4: `subscription { __typename }` without a token is a clean client error, with no stack trace in the output', async () => {
    const mark = service.mark();
    const response = await service.send({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'subscription { __typename }' }) });
    expect(response.status).toBeLessThan(500);
    const codes = errorCodes(response);
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(['GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'UNAUTHENTICATED', 'BAD_USER_INPUT']).toContain(code);
    expect(leakedInternals(response, '')).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the child's log lines travel through a pipe
    const written = service.outputSince(mark).map((l) => l.text);
    expect(written.filter((line) => /\bat .+:\d+:\d+|"(stack|trace)":/.test(line))).toEqual([]);
    expect(service.logsSince(mark).filter((line) => Number(line.level) >= 50)).toEqual([]);
  });

  it('finding 7: an award rate of "1." and 10,000 zeros is refused and stores no promotion', async () => {
    const before = await rows('promotions');
    const awardRate = `1.${'0'.repeat(10_000)}`;
    const response = await service.gql(ADMIN_TOKEN, 'mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id awardRate } }', {
      input: { productId: data.productIds[0], startDate: '2020-01-01', endDate: '2020-12-31', awardRate },
    });
    expect(response.status).toBeLessThan(500);
    expect(['BAD_USER_INPUT', 'QUERY_TOO_COMPLEX']).toContain(errorCodes(response)[0]);
    expect(graphqlErrors(response)).toHaveLength(1);
    expect(graphqlData(response) ?? null).toBeNull();
    expect(await rows('promotions')).toBe(before);

    const inline = await service.gql(
      ADMIN_TOKEN,
      `mutation { createPromotion(input: { productId: "${data.productIds[0]}", startDate: "2020-01-01", endDate: "2020-12-31", awardRate: "${awardRate}" }) { id } }`,
    );
    expect(['BAD_USER_INPUT', 'QUERY_TOO_COMPLEX']).toContain(errorCodes(inline)[0]);
    expect(await rows('promotions')).toBe(before);
  });
});
