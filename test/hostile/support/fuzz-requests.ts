import fc from 'fast-check';
import {
  anyString,
  dateTimeLike,
  decimalLike,
  headerSafe,
  hostileValue,
  intLike,
  localDateLike,
  nestedArray,
  nestedObject,
  overflowingNumber,
  RawJson,
  textLike,
  toJson,
  uuidLike,
} from './fuzz-values';
import { RawRequest } from './http-client';
import { Seed } from './seed';
import { ADMIN_TOKEN, AUDITOR_TOKEN } from './service-process';

export interface FuzzRequest {
  /** Which generator made it: the summary counts by it. */
  kind: string;
  request: RawRequest;
}

/** Past Fastify's body limit (1 MiB) a request tests only that limit; kept below it so every other path is reached. */
// Headers likewise stay within Node's 16 KiB (the largest extra header plus the largest Authorization is ~12 KB):
// past it Node itself answers 431 and closes, which tests Node, not the service.
const MAX_BODY = 1_000_000;

/** The answer selects purchase { id retailerId transactionId }, so that every row a fuzz request records is accounted for. */
const PURCHASE_SELECTION = '{ replayed pointsAwarded purchase { id retailerId transactionId } }';

interface Operation {
  document: string;
  variables: fc.Arbitrary<Record<string, unknown>>;
}

/** A record whose fields are each valid-ish or hostile, sometimes missing, sometimes with a field the schema lacks. */
function inputRecord(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const record = fc.record(fields, { requiredKeys: [] }).chain((value) =>
    fc.oneof(
      { arbitrary: fc.constant(value as Record<string, unknown>), weight: 8 },
      { arbitrary: fc.constant({ ...value, unexpected: 'field' }), weight: 1 },
    ),
  );
  return fc.oneof({ arbitrary: record, weight: 9 }, { arbitrary: hostileValue, weight: 1 });
}

function operations(seed: Seed): Operation[] {
  const customers = uuidLike(seed.customerIds);
  const products = uuidLike(seed.productIds);
  const retailers = uuidLike(seed.retailers.map((r) => r.id));
  const promotions = uuidLike([seed.promotionId]);
  const transactionId = fc.oneof({ arbitrary: fc.uuid().map((u) => `fz-${u}`), weight: 3 }, { arbitrary: textLike, weight: 3 });
  const purchaseInput = inputRecord({
    transactionId,
    customerId: customers,
    productId: products,
    quantity: intLike(1, 10_000),
    unitPriceCents: intLike(0, 10_000_000),
    purchasedAt: dateTimeLike,
  });
  const name = textLike;
  const op = (document: string, variables: Record<string, fc.Arbitrary<unknown>>): Operation => ({
    document,
    variables: fc.record(variables, { requiredKeys: [] }),
  });
  return [
    op(`mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) ${PURCHASE_SELECTION} }`, { input: purchaseInput }),
    op('query($id: ID!) { customer(id: $id) { id firstName lastName pointBalance } }', { id: customers }),
    op('query($r: ID!, $t: String!) { purchase(retailerId: $r, transactionId: $t) { id transactionId pointsEarned } }', {
      r: retailers,
      t: transactionId,
    }),
    op('mutation($input: CreateRetailerInput!) { createRetailer(input: $input) { retailer { id name region timezone } } }', {
      input: inputRecord({ name, region: textLike, timezone: fc.oneof(fc.constantFrom('UTC', 'America/Chicago', 'Mars/Base', 'utc', '+02:00'), textLike) }),
    }),
    op('mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id firstName lastName } }', {
      input: inputRecord({ firstName: name, lastName: name }),
    }),
    op('mutation($input: CreateProductInput!) { createProduct(input: $input) { id name priceCents } }', {
      input: inputRecord({ name, priceCents: intLike(0, 10_000_000) }),
    }),
    op('mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id awardRate startDate endDate } }', {
      input: inputRecord({
        productId: products,
        retailerId: retailers,
        region: textLike,
        startDate: localDateLike,
        endDate: localDateLike,
        awardRate: decimalLike,
      }),
    }),
    op('mutation($id: ID!, $input: RevisePromotionInput!) { revisePromotion(id: $id, input: $input) { id version awardRate } }', {
      id: promotions,
      input: inputRecord({ startDate: localDateLike, endDate: localDateLike, awardRate: decimalLike }),
    }),
    op('mutation($name: String!) { createAuditorToken(name: $name) { auditorToken { id name } } }', { name }),
    op('mutation($id: ID!) { revokeAuditorToken(id: $id) { id revokedAt } }', { id: uuidLike(seed.customerIds) }),
    op('query($b: Boolean!) { auditorTokens(includeRevoked: $b) { id name } }', { b: fc.oneof(fc.boolean(), hostileValue) }),
    op(
      'query($first: Int!, $after: String, $filter: LedgerTransactionFilter, $order: LedgerOrder!) { ledgerTransactions(first: $first, after: $after, filter: $filter, order: $order) { edges { cursor node { id key entries { accountCode amount } } } pageInfo { hasNextPage endCursor } } }',
      {
        first: intLike(1, 500),
        after: fc.oneof(fc.base64String({ maxLength: 60 }), textLike),
        filter: inputRecord({
          accountCode: fc.oneof(fc.constantFrom('program:liability', `customer:${seed.customerIds[0]}`), textLike),
          from: dateTimeLike,
          to: dateTimeLike,
          kind: fc.oneof(fc.constantFrom('PURCHASE', 'CORRECTION', 'purchase', 'OTHER'), hostileValue),
        }),
        order: fc.oneof(fc.constantFrom('NEWEST_FIRST', 'OLDEST_FIRST', 'SIDEWAYS'), hostileValue),
      },
    ),
    op('query($code: String!, $asOf: DateTime) { ledgerAccount(code: $code, asOf: $asOf) { code balance } }', {
      code: fc.oneof(fc.constantFrom('program:liability', `customer:${seed.customerIds[0]}`), textLike),
      asOf: dateTimeLike,
    }),
    op('query($first: Int!, $after: String, $asOf: DateTime) { trialBalance(first: $first, after: $after, asOf: $asOf) { total } }', {
      first: intLike(1, 500),
      after: textLike,
      asOf: dateTimeLike,
    }),
    op('query($first: Int!) { reconciliationRuns(first: $first) { id status } }', { first: intLike(1, 100) }),
    op('query($id: ID!) { reconciliationRun(id: $id) { id status } }', { id: uuidLike(seed.customerIds) }),
  ];
}

/** Every caller the service knows, and some it does not, in the forms an Authorization header takes. */
function authorization(seed: Seed): fc.Arbitrary<Record<string, string>> {
  const token = fc.constantFrom(ADMIN_TOKEN, AUDITOR_TOKEN, seed.retailers[0].token, 'unknown-token-0123456789abcdef', '');
  return fc.oneof(
    { arbitrary: fc.constant({}), weight: 3 },
    { arbitrary: token.map((t) => ({ authorization: `Bearer ${t}` })), weight: 10 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom('bearer ', 'Basic ', 'Bearer  ', 'Bearer', 'Token ', ''), token, fc.oneof(fc.constant(''), anyString))
        .map(([scheme, t, noise]) => ({ authorization: headerSafe(`${scheme}${t}${noise}`).slice(0, 2_000) })),
      weight: 2,
    },
  );
}

/**
 * A GraphQL literal of a hostile value, written as a client would write it inline. Deeper than 100 levels it is cut
 * (the test's own stack is the limit there); deep literals have a generator of their own (deepNesting).
 */
function literal(value: unknown, depth = 0): string {
  if (depth > 100) return 'null';
  if (value instanceof RawJson) return value.text;
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, depth + 1)).join(', ')}]`;
  return `{ ${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(k) ? k : 'bad'}: ${literal(v, depth + 1)}`)
    .join(', ')} }`;
}

/** Every UTF-8 byte percent-encoded: lone surrogates (which encodeURIComponent refuses) go out as U+FFFD's bytes. */
const percentEncoded = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const json = (headers: Record<string, string>) => ({ 'content-type': 'application/json', ...headers });

function post(kind: string, headers: Record<string, string>, body: string | Buffer): FuzzRequest {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const cut = bytes.length > MAX_BODY ? bytes.subarray(0, MAX_BODY) : body;
  return { kind, request: { method: 'POST', path: '/graphql', headers, body: cut } };
}

/** The fuzz's request generator: every shape of the issue's list, with every kind of caller. */
export function fuzzRequest(seed: Seed): fc.Arbitrary<FuzzRequest> {
  const ops = operations(seed);
  const auth = authorization(seed);
  const operation = fc.constantFrom(...ops).chain((o) => o.variables.map((variables) => ({ query: o.document, variables })));

  const contractOperation = fc.tuple(operation, auth).map(([body, headers]) => post('operation', json(headers), toJson(body)));

  const validPurchase = fc
    .record({
      n: fc.nat(),
      quantity: fc.integer({ min: 1, max: 10_000 }),
      unitPriceCents: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }),
      agoMs: fc.option(fc.integer({ min: 0, max: 20 * 86_400_000 }), { nil: undefined }),
      transactionId: fc.uuid(),
    })
    .map(({ n, quantity, unitPriceCents, agoMs, transactionId }) => {
      const input: Record<string, unknown> = {
        transactionId: `vp-${transactionId}`,
        customerId: seed.customerIds[n % seed.customerIds.length],
        productId: seed.productIds[n % seed.productIds.length],
        quantity,
      };
      if (unitPriceCents !== undefined) input.unitPriceCents = unitPriceCents;
      if (agoMs !== undefined) input.purchasedAt = new Date(Date.now() - agoMs).toISOString();
      const query = `mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) ${PURCHASE_SELECTION} }`;
      return post('valid-purchase', json({ authorization: `Bearer ${seed.retailers[0].token}` }), toJson({ query, variables: { input } }));
    });

  const inlineLiterals = fc
    .tuple(
      fc.constantFrom('customer(id: $)', 'purchase(retailerId: $, transactionId: "x")', 'ledgerTransactions(first: $)', 'trialBalance(first: $)'),
      fc.oneof(hostileValue, overflowingNumber, fc.constantFrom('NaN', 'Infinity', '-0', '0x10', '1e309', '$undefined', '"\\ud800"', '"\\u0000"')),
      auth,
    )
    .map(([field, value, headers]) => {
      const written = typeof value === 'string' && /^[-\w$"\\]/.test(value) && !value.includes(' ') ? value : literal(value);
      const selection = field.startsWith('ledger') ? '{ edges { cursor } }' : field.startsWith('trial') ? '{ total }' : '{ id }';
      return post('inline-literal', json(headers), toJson({ query: `{ x: ${field.replace('$', written)} ${selection} }` }));
    });

  const deepNesting = fc
    .tuple(fc.constantFrom('selection', 'list-literal', 'variables', 'json-array', 'fragments'), fc.integer({ min: 5, max: 3000 }), auth)
    .map(([shape, depth, headers]) => {
      if (shape === 'selection') {
        return post('deep-nesting', json(headers), toJson({ query: `query { ${'a { '.repeat(depth)}b${' }'.repeat(depth)} }` }));
      }
      if (shape === 'list-literal') {
        return post('deep-nesting', json(headers), toJson({ query: `{ customer(id: ${nestedArray(depth)}) { id } }` }));
      }
      if (shape === 'variables') {
        return post('deep-nesting', json(headers), toJson({ query: 'query($id: ID!) { customer(id: $id) { id } }', variables: { id: nestedObject(depth) } }));
      }
      if (shape === 'json-array') return post('deep-nesting', json(headers), `{"query": "{ __typename }", "variables": ${nestedArray(depth)}}`);
      const fragments = Array.from({ length: Math.min(depth, 200) }, (_, i) => `fragment F${i} on Query { ...F${i + 1} __typename }`);
      return post('deep-nesting', json(headers), toJson({ query: `{ ...F0 }\n${fragments.join('\n')}\nfragment F${fragments.length} on Query { ...F0 }` }));
    });

  const manyAliases = fc
    .tuple(
      fc.uuid(),
      fc.integer({ min: 2, max: 1500 }),
      fc.constantFrom(
        `customer(id: "${seed.customerIds[0]}") { id pointBalance }`,
        `purchase(retailerId: "${seed.retailers[0].id}", transactionId: "x") { id }`,
        '__typename',
        '__schema { types { name fields { name } } }',
        'ledgerTransactions(first: 500) { edges { node { entries { amount } } } }',
        'trialBalance(first: 500) { total }',
        'RECORD',
      ),
      auth,
    )
    .map(([prefix, count, field, headers]) => {
      const isPurchase = field === 'RECORD';
      const alias = (i: number) =>
        isPurchase
          ? `r${i}: recordPurchase(input: { transactionId: "al-${prefix}-${i}", customerId: "${seed.customerIds[0]}", productId: "${seed.productIds[0]}", quantity: 1 }) ${PURCHASE_SELECTION}`
          : `a${i}: ${field}`;
      const query = `${isPurchase ? 'mutation' : 'query'} {\n${Array.from({ length: count }, (_, i) => alias(i)).join('\n')}\n}`;
      return post('many-aliases', json(headers), toJson({ query }));
    });

  const batch = fc
    .tuple(fc.array(operation, { minLength: 1, maxLength: 20 }), auth)
    .map(([bodies, headers]) => post('batch', json(headers), toJson(bodies)));

  const malformedBody = fc
    .tuple(
      fc.oneof(
        fc.constantFrom(
          '{"query": "{ __typename }"',
          '{"query": 1}',
          '{"query": null}',
          '{"query": {}}',
          '{"query": ["{ __typename }"]}',
          '{"query": "query($a: Int) { __typename }", "variables": []}',
          '{"query": "query($a: Int) { __typename }", "variables": "x"}',
          '{"query": "{ __typename }", "operationName": 5}',
          '{"query": "query A { __typename } query B { __typename }"}',
          '{"query": "query A { __typename } query B { __typename }", "operationName": "C"}',
          '{"__proto__": {"polluted": 1}, "query": "{ __typename }"}',
          '{"constructor": {"prototype": {"polluted": 1}}, "query": "{ __typename }"}',
          '{"query": "{ __typename }", "query": "mutation { __typename }"}',
          '\ufeff{"query": "{ __typename }"}',
          '{"query": "{ __typename }"} trailing',
          '{"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}',
          '{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0000000000000000000000000000000000000000000000000000000000000000"}}}',
          '',
          'null',
          '[]',
          '"string"',
          '12345678901234567890',
          '{"query": "\\ud800"}',
          '{"query": "{ __typename }\\u0000"}',
        ),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.string({ maxLength: 200 }).map((s) => `{"query": ${s}`),
        fc.uint8Array({ minLength: 1, maxLength: 500 }).map((bytes) => Buffer.from(bytes)),
        fc.integer({ min: 1, max: 5000 }).map(nestedArray),
      ),
      auth,
    )
    .map(([body, headers]) => post('malformed-body', json(headers), body));

  const wrongContentType = fc
    .tuple(
      fc.constantFrom(
        'text/plain',
        'application/graphql',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/json, text/plain',
        'application/jsonx',
        '',
        '*/*',
      ),
      operation,
      auth,
    )
    .map(([contentType, body, headers]) => {
      const all: Record<string, string> = contentType ? { ...headers, 'content-type': contentType } : { ...headers };
      return post('content-type', all, toJson(body));
    });

  const hugeHeaders = fc
    .tuple(
      fc.oneof(
        fc.integer({ min: 1, max: 10_000 }).map((n) => ({ 'x-padding': 'p'.repeat(n) })),
        fc.integer({ min: 1, max: 50 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-h${i}`, 'v'.repeat(200)]))),
        anyString.map((s) => ({ 'x-request-id': headerSafe(s).slice(0, 4_000) })),
        anyString.map((s) => ({ 'x-forwarded-for': headerSafe(s).slice(0, 2_000), 'x-real-ip': '10.0.0.1' })),
        fc.integer({ min: 1, max: 6_000 }).map((n) => ({ authorization: `Bearer ${'t'.repeat(n)}` })),
        fc.constant({ 'apollo-require-preflight': 'true', 'x-apollo-operation-name': 'x' }),
      ),
      operation,
      auth,
    )
    .map(([extra, body, headers]) => post('headers', json({ ...headers, ...extra }), toJson(body)));

  const otherMethodsAndPaths = fc
    .tuple(
      fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
      fc.constantFrom('/graphql', '/', '/health/ready', '/health/live', '/metrics', '/graphql/../graphql', '/%00', '/graphql?query=%7B__typename%7D'),
      fc.oneof(fc.constant(''), anyString.map((s) => `?query=${percentEncoded(s).slice(0, 9_000).replace(/%[0-9a-f]?$/, '')}`)),
      auth,
    )
    .map(([method, path, query, headers]) => {
      const full = path.includes('?') ? path : `${path}${query}`;
      return { kind: 'method-path', request: { method, path: full, headers: { ...headers, 'apollo-require-preflight': 'true' } } };
    });

  return fc.oneof(
    { arbitrary: contractOperation, weight: 30 },
    { arbitrary: validPurchase, weight: 10 },
    { arbitrary: inlineLiterals, weight: 8 },
    { arbitrary: deepNesting, weight: 5 },
    { arbitrary: manyAliases, weight: 5 },
    { arbitrary: batch, weight: 5 },
    { arbitrary: malformedBody, weight: 8 },
    { arbitrary: wrongContentType, weight: 5 },
    { arbitrary: hugeHeaders, weight: 5 },
    { arbitrary: otherMethodsAndPaths, weight: 4 },
  );
}
