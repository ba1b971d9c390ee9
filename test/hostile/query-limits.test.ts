import { deepSelection, introspectionAliases, ledgerPageAliases, purchaseQueryAliases, recordPurchaseAliases } from './support/documents';
import { errorCodes, graphqlData, graphqlErrors, RawResponse } from './support/http-client';
import { leakedInternals } from './support/internals';
import { purchaseCount, RECORD_PURCHASE, Seed, seed, validPurchase } from './support/seed';
import { ADMIN_TOKEN, AUDITOR_TOKEN, ServiceProcess, startService } from './support/service-process';

/** Findings 1, 2, 3 and the depth and purchases-per-request parts of 7: refused before any resolver runs. */
describe('hostile input: GraphQL limits (issue 9, findings 1, 2, 3, 7)', () => {
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
    // Every case ends with the process alive: a death is the first thing a reader needs to know.
    if (service.died()) throw new Error(`the service ${service.exitDescription()}:\n${service.tail()}`);
  });

  const alive = async () => {
    expect(service.died()).toBe(false);
    const live = await service.send({ method: 'GET', path: '/health/live' });
    expect(live.status).toBe(200);
  };

  const expectNoLeaks = (response: RawResponse, requestBody: string) => expect(leakedInternals(response, requestBody)).toEqual([]);

  it('finding 1: 1,000 aliases of deep introspection without a token are refused while a POS sale in flight succeeds', async () => {
    const query = introspectionAliases(1000);
    const body = JSON.stringify({ query });
    expect(body.length).toBeGreaterThan(170_000);
    const [hostile, sale] = await Promise.all([
      service.send({ headers: { 'content-type': 'application/json' }, body }),
      service.gql(data.retailers[0].token, RECORD_PURCHASE, { input: validPurchase(data) }),
    ]);

    expect(hostile.status).toBeLessThan(500);
    expect(graphqlErrors(hostile).length).toBeGreaterThan(0);
    for (const code of errorCodes(hostile)) {
      expect(['QUERY_TOO_COMPLEX', 'UNAUTHENTICATED', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED']).toContain(code);
    }
    // No introspection was answered: a single alias's answer alone is ~35 KB.
    expect(JSON.stringify(graphqlData(hostile) ?? null)).not.toContain('__Schema');
    expect(hostile.bytes).toBeLessThan(64 * 1024);
    expectNoLeaks(hostile, body);

    expect(graphqlErrors(sale)).toEqual([]);
    expect(graphqlData<{ recordPurchase: { replayed: boolean } }>(sale)?.recordPurchase.replayed).toBe(false);
    await alive();
  }, 60_000);

  it('finding 2: 1,000 purchase aliases with an unknown token get one error, fast and small, not 1,000 lookups', async () => {
    const query = purchaseQueryAliases(data.retailers[0].id, 1000);
    const response = await service.gql('unknown-token-that-looks-real-0123456789', query);

    expect(response.status).toBeLessThan(500);
    expect(graphqlErrors(response)).toHaveLength(1);
    expect(['UNAUTHENTICATED', 'QUERY_TOO_COMPLEX', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']).toContain(errorCodes(response)[0]);
    expect(response.bytes).toBeLessThan(10 * 1024);
    expect(response.ms).toBeLessThan(1000);
    expectNoLeaks(response, query);
    await alive();
  }, 60_000);

  it('finding 3: 400 aliases of ledgerTransactions(first: 500) with entries by an AUDITOR are refused QUERY_TOO_COMPLEX before any work', async () => {
    const query = ledgerPageAliases(400, 500);
    const saleStarted = service.gql(data.retailers[0].token, RECORD_PURCHASE, { input: validPurchase(data, 1) });
    const response = await service.gql(AUDITOR_TOKEN, query);
    const sale = await saleStarted;

    expect(response.status).toBeLessThan(500);
    expect(errorCodes(response)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(graphqlData(response) ?? null).toBeNull();
    expect(response.bytes).toBeLessThan(10 * 1024);
    expect(response.ms).toBeLessThan(1000);
    expectNoLeaks(response, query);
    expect(graphqlErrors(sale)).toEqual([]);
    await alive();
  }, 60_000);

  it('finding 3: the cost limit alone (10 aliases of 500-row pages: few tokens, few aliases) refuses QUERY_TOO_COMPLEX', async () => {
    const query = ledgerPageAliases(10, 500);
    const response = await service.gql(AUDITOR_TOKEN, query);
    expect(errorCodes(response)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(graphqlData(response) ?? null).toBeNull();
    expect(response.ms).toBeLessThan(1000);
  }, 60_000);

  it('an ordinary audit read (one page of 100 with entries) is still answered', async () => {
    expect(graphqlErrors(await service.gql(data.retailers[0].token, RECORD_PURCHASE, { input: validPurchase(data, 2) }))).toEqual([]);
    const response = await service.gql(AUDITOR_TOKEN, ledgerPageAliases(1, 100));
    expect(graphqlErrors(response)).toEqual([]);
    expect(graphqlData<{ l0: { edges: unknown[] } }>(response)?.l0.edges.length).toBeGreaterThan(0);
  }, 60_000);

  it('finding 7: 5,000-deep nesting is refused without "Maximum call stack" reaching the client', async () => {
    const query = deepSelection(5000);
    const response = await service.gql(ADMIN_TOKEN, query);

    expect(response.status).toBeLessThan(500);
    expect(graphqlErrors(response).length).toBeGreaterThan(0);
    for (const error of graphqlErrors(response)) expect(error.message).not.toMatch(/Maximum call stack/i);
    expect(errorCodes(response)).not.toContain('INTERNAL_SERVER_ERROR');
    expectNoLeaks(response, query);
    await alive();
  }, 60_000);

  it('finding 7: 200 recordPurchase aliases in one request are refused QUERY_TOO_COMPLEX and record nothing', async () => {
    const before = await purchaseCount(service);
    const inputs = Array.from({ length: 200 }, (_, i) => validPurchase(data, i));
    const query = recordPurchaseAliases(inputs);
    const response = await service.gql(data.retailers[0].token, query);

    expect(errorCodes(response)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(graphqlData(response) ?? null).toBeNull();
    expect(response.ms).toBeLessThan(1000);
    expect(await purchaseCount(service)).toBe(before);
  }, 60_000);

  it('finding 7: MAX_PURCHASES_PER_REQUEST (10) holds below the alias limit: 11 purchase aliases refused, nothing recorded', async () => {
    const before = await purchaseCount(service);
    const response = await service.gql(data.retailers[0].token, recordPurchaseAliases(Array.from({ length: 11 }, (_, i) => validPurchase(data, i))));
    expect(errorCodes(response)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(await purchaseCount(service)).toBe(before);
  }, 60_000);
});
