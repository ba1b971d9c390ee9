import { GraphQLSchemaHost } from '@nestjs/graphql';
import { LIST_SIZES, listFieldsOf } from '../../src/graphql/limits/cost';
import { Fixtures } from '../support/fixtures';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';

const PAGE = 'edges { cursor node { id key kind recordedAt entries { accountCode amount } } } pageInfo { hasNextPage endCursor }';
const codes = (r: { errors?: Array<{ extensions?: { code?: string } }> }) => (r.errors ?? []).map((e) => e.extensions?.code);

async function post(t: TestApp, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
}

describe('limits on what one request may ask, checked before any resolver runs', () => {
  let t: TestApp;
  let pos: string;
  let customerId: string;
  let productId: string;
  beforeAll(async () => {
    t = await startTestApp();
    const f = new Fixtures(t);
    pos = (await f.retailer()).token;
    customerId = await f.customer();
    productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '10' });
  });
  afterAll(() => t.close());

  const purchaseField = (alias: string, n: number) =>
    `${alias}: recordPurchase(input: { transactionId: "limit-${n}", customerId: "${customerId}", productId: "${productId}", quantity: 1 }) { pointsAwarded }`;

  it('refuses more aliases than GRAPHQL_MAX_ALIASES', async () => {
    const query = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect(codes(await t.gql(ADMIN_TOKEN, query))).toEqual(['QUERY_TOO_COMPLEX']);
    const fifteen = `{ ${Array.from({ length: 15 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect((await t.gql(ADMIN_TOKEN, fifteen)).errors).toBeUndefined();
  });

  it('refuses a document deeper than GRAPHQL_MAX_DEPTH, counting fragments where they are spread', async () => {
    const deep = `{ ledgerTransactions { edges { node { entries { ...E } } } } } fragment E on LedgerEntry { ${'a: __typename '.repeat(1)} }`;
    expect((await t.gql(AUDITOR_TOKEN, deep)).errors).toBeUndefined();
    // 11 levels: the selection itself does not exist, but depth is refused first, whatever the schema says.
    const tooDeep = `{ ${'a { '.repeat(11)}b${' }'.repeat(11)} }`;
    const r = await t.gql(AUDITOR_TOKEN, tooDeep);
    expect(codes(r)).toContain('QUERY_TOO_COMPLEX');
  });

  it('stops the parser at GRAPHQL_MAX_TOKENS, and a 5,000-deep document with it, without internals', async () => {
    const huge = `{ ${Array.from({ length: 600 }, (_, i) => `f${i}: __typename`).join(' ')} }`;
    expect(codes(await t.gql(ADMIN_TOKEN, huge))).toEqual(['QUERY_TOO_COMPLEX']);
    const nested = await post(t, { query: `{ ${'a { '.repeat(5000)}b${' }'.repeat(5000)} }` }, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(nested.body.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(JSON.stringify(nested.body)).not.toMatch(/call stack/i);
  });

  it('prices every list field of the schema on purpose (none falls to the default size)', () => {
    const fields = listFieldsOf(t.app.get(GraphQLSchemaHost).schema);
    expect(fields.length).toBeGreaterThan(3);
    expect(fields.filter((field) => !(field in LIST_SIZES))).toEqual([]);
  });

  it('refuses more operations than GRAPHQL_MAX_OPERATIONS in one document', async () => {
    const query = Array.from({ length: 6 }, (_, i) => `query Q${i} { __typename }`).join(' ');
    const r = await post(t, { query, operationName: 'Q0' }, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(r.body.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('prices pages by their size: one page of 500 with entries passes, four in one request do not', async () => {
    const one = await t.gql(AUDITOR_TOKEN, `{ a: ledgerTransactions(first: 500) { ${PAGE} } }`);
    expect(one.errors).toBeUndefined();
    const four = `{ ${['a', 'b', 'c', 'd'].map((x) => `${x}: ledgerTransactions(first: 500) { ${PAGE} }`).join(' ')} }`;
    const r = await t.gql(AUDITOR_TOKEN, four);
    expect(codes(r)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(r.errors?.[0].message).toMatch(/GRAPHQL_MAX_COST/);
    // The page size may come from a variable: it is priced with the value sent.
    const byVariable = 'query($n: Int!) { a: ledgerTransactions(first: $n) { ' + PAGE + ' } b: ledgerTransactions(first: $n) { ' + PAGE + ' } c: ledgerTransactions(first: $n) { ' + PAGE + ' } d: ledgerTransactions(first: $n) { ' + PAGE + ' } }';
    expect(codes(await t.gql(AUDITOR_TOKEN, byVariable, { n: 500 }))).toEqual(['QUERY_TOO_COMPLEX']);
    expect((await t.gql(AUDITOR_TOKEN, byVariable, { n: 10 })).errors).toBeUndefined();
  });

  it('refuses more recordPurchase fields than MAX_PURCHASES_PER_REQUEST, and records none of them', async () => {
    const eleven = `mutation { ${Array.from({ length: 11 }, (_, i) => purchaseField(`p${i}`, i)).join(' ')} }`;
    expect(codes(await t.gql(pos, eleven))).toEqual(['QUERY_TOO_COMPLEX']);
    const { rows } = await t.sql.query("select count(*)::int as n from purchases where transaction_id like 'limit-%'");
    expect(rows[0].n).toBe(0);
    const two = `mutation { ${[purchaseField('p0', 100), purchaseField('p1', 101)].join(' ')} }`;
    expect((await t.gql(pos, two)).errors).toBeUndefined();
  });

  it('counts every ledger-writing field against the same bound: 11 redemptions and adjustments, none applied', async () => {
    const fields = Array.from({ length: 11 }, (_, i) =>
      i % 2
        ? `r${i}: redeemPoints(input: { idempotencyKey: "limit-r${i}", customerId: "${customerId}", points: "1", rewardReference: "mug" }) { replayed }`
        : `a${i}: adjustPoints(input: { idempotencyKey: "limit-a${i}", customerId: "${customerId}", points: "5", reason: "limit" }) { replayed }`,
    );
    expect(codes(await t.gql(ADMIN_TOKEN, `mutation { ${fields.join(' ')} }`))).toEqual(['QUERY_TOO_COMPLEX']);
    const { rows } = await t.sql.query(
      "select (select count(*) from redemptions)::int + (select count(*) from points_adjustments)::int as n",
    );
    expect(rows[0].n).toBe(0);
  });

  it('answers variables that do not fit with BAD_USER_INPUT, not as a cost problem', async () => {
    const r = await t.gql(AUDITOR_TOKEN, 'query($n: Int!) { ledgerTransactions(first: $n) { pageInfo { hasNextPage } } }', {});
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses introspection: to anyone while the IDE is off, and GET /graphql serves no IDE', async () => {
    expect(codes(await t.gql(ADMIN_TOKEN, '{ __schema { types { name } } }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const page = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/graphiql/i);
  });

  it('gives the service its own request id, and never takes the client’s', async () => {
    const r = await post(t, { query: '{ __typename }' }, { 'x-request-id': 'forged-id' });
    const id = r.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(id).not.toBe('forged-id');
  });
});

describe('development tools (GRAPHQL_IDE=true)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ GRAPHQL_IDE: 'true' });
  });
  afterAll(() => t.close());

  it('serves an IDE page to a browser at /graphql instead of a CSRF error', async () => {
    const page = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/graphiql/i);
    expect(html).not.toMatch(/csrf/i);
  });

  it('answers introspection to a caller with a token, never to an anonymous one', async () => {
    expect(codes(await t.gql(null, '{ __schema { types { name } } }'))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await t.gql(null, '{ __type(name: "Purchase") { name } }'))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await t.gql('not-a-token-at-all', '{ __schema { queryType { name } } }'))).toEqual(['UNAUTHENTICATED']);
    const r = await t.gql<{ __schema: { queryType: { name: string } } }>(AUDITOR_TOKEN, '{ __schema { queryType { name } } }');
    expect(r.data?.__schema.queryType.name).toBe('Query');
    // Every request needs a token, whatever it asks: it is refused before its body is parsed.
    expect(codes(await t.gql(null, '{ __typename }'))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await t.gql(null, '{ this is not GraphQL'))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('rate limits and the response size bound', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_ADDRESS: '2', RATE_LIMIT_PER_TOKEN: '3', GRAPHQL_MAX_RESPONSE_BYTES: '2048' });
  });
  afterAll(() => t.close());

  it('limits requests without a valid token per address: 429 RATE_LIMITED with a retry hint, no GraphQL work', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await post(t, { query: '{ customer(id: "00000000-0000-0000-0000-000000000000") { id } }' }, { authorization: 'Bearer made-up-token' }));
    expect(answers.slice(0, 4).map((a) => a.body.errors?.[0].extensions?.code)).toEqual(Array(4).fill('UNAUTHENTICATED'));
    const refused = answers[4];
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    expect(refused.headers.get('retry-after')).toBe('1');
    // A valid token is counted under its own key, not the address's.
    expect((await post(t, { query: '{ __typename }' }, { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
  });

  it('limits each valid token on its own, and answers it at once', async () => {
    // A token of its own, with a full bucket whatever the other tests spent before it.
    const token = (await new Fixtures(t).retailer()).token;
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await post(t, { query: '{ __typename }' }, { authorization: `Bearer ${token}` })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.slice(0, 6).every((s) => s === 200)).toBe(true);
  });

  it('replaces a response larger than GRAPHQL_MAX_RESPONSE_BYTES by QUERY_TOO_COMPLEX', async () => {
    await new Promise((r) => setTimeout(r, 2100)); // let the admin token's bucket refill
    const f = new Fixtures(t);
    const pos = (await f.retailer()).token;
    const customerId = await f.customer();
    const productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '10' });
    for (let i = 0; i < 10; i++) {
      await t.gql(pos, `mutation { recordPurchase(input: { transactionId: "big-${i}", customerId: "${customerId}", productId: "${productId}", quantity: 1 }) { replayed } }`);
      await new Promise((r) => setTimeout(r, 350));
    }
    const r = await post(t, { query: `{ ledgerTransactions(first: 50) { ${PAGE} } }` }, { authorization: `Bearer ${AUDITOR_TOKEN}` });
    expect(r.body.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(r.body.errors?.[0].message).toMatch(/GRAPHQL_MAX_RESPONSE_BYTES/);
  });
});
