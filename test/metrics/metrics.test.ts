import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { AUTH_POOL } from '../../src/database/database.module';
import { Fixtures, recordPurchase } from '../support/fixtures';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { adjust, cancel, customerWith, key, redeem, redeemInput } from '../lifecycle/points-kit';
import { recordReturn } from '../lifecycle/returns-kit';
import { FAMILIES, moved, scrape, total, UUID } from './metrics-kit';

const hourAgo = () => new Date(Date.now() - 3600_000).toISOString();

describe('/metrics after a known sequence of operations', () => {
  let t: TestApp;
  let f: Fixtures;
  let pos: { id: string; token: string };
  let product: string;
  let plainProduct: string;
  let customers: string[];

  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    pos = await f.retailer();
    product = await f.product(1000);
    plainProduct = await f.product(250);
    await f.promotion({ productId: product, awardRate: '1.5' });
    customers = [await f.customer('Ada'), await f.customer('Grace')];
  });
  afterAll(() => t.close());

  it('exports every agreed family, with its type', async () => {
    const s = await scrape(t);
    expect(Object.fromEntries(Object.keys(FAMILIES).map((name) => [name, s.types.get(name)]))).toEqual(FAMILIES);
  });

  it('counts purchases by outcome, the points credited, and their batches, by exactly what was done', async () => {
    const before = await scrape(t);
    const sale = (transactionId: string, customerId: string, quantity: number, productId = product) => ({
      transactionId,
      customerId,
      productId,
      quantity,
      purchasedAt: hourAgo(),
    });
    const sales = [sale(key('m'), customers[0], 2), sale(key('m'), customers[1], 3), sale(key('m'), customers[0], 7)];
    sales.push(sale(key('m'), customers[1], 1, plainProduct)); // no promotion: recorded, 0 points
    let credited = 0n;
    for (const input of sales) {
      const r = await recordPurchase(t, pos.token, input);
      expect(r.data?.recordPurchase.replayed).toBe(false);
      credited += BigInt(r.data!.recordPurchase.pointsAwarded);
    }
    expect(credited).toBeGreaterThan(0n);
    // Two replays: the same purchases sent again.
    for (const input of sales.slice(0, 2)) expect((await recordPurchase(t, pos.token, input)).data?.recordPurchase.replayed).toBe(true);
    const refused = async (input: Record<string, unknown>) => (await recordPurchase(t, pos.token, input)).errors?.[0]?.extensions?.code;
    expect(await refused({ ...sales[2], quantity: 8 })).toBe('IDEMPOTENCY_CONFLICT');
    expect(await refused(sale(key('m'), randomUUID(), 1))).toBe('CUSTOMER_NOT_FOUND');
    expect(await refused(sale(key('m'), randomUUID(), 1))).toBe('CUSTOMER_NOT_FOUND');
    expect(await refused(sale(key('m'), customers[0], 1, randomUUID()))).toBe('PRODUCT_NOT_FOUND');
    // Refused by the service (the time window), then by the input's validation before the resolver runs.
    expect(await refused({ ...sale(key('m'), customers[0], 1), purchasedAt: new Date(Date.now() + 3600_000).toISOString() })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await refused(sale(key('m'), customers[0], 0))).toBe('BAD_USER_INPUT');
    const after = await scrape(t);

    const outcomes = ['recorded', 'replayed', 'IDEMPOTENCY_CONFLICT', 'CUSTOMER_NOT_FOUND', 'PRODUCT_NOT_FOUND', 'BAD_USER_INPUT'];
    expect(moved(before, after, 'loyalty_purchases_total', outcomes.map((outcome) => ({ outcome })))).toEqual([4, 2, 1, 2, 1, 1]);
    // Only those: nothing else was counted (the validation's refusal never reached the service).
    expect(total(after, 'loyalty_purchases_total') - total(before, 'loyalty_purchases_total')).toBe(11);
    expect(after.value('loyalty_points_credited_total') - before.value('loyalty_points_credited_total')).toBe(Number(credited));

    // What GraphQL saw of the same requests: the validation's refusal too.
    const request = (outcome: string) => ({ operation: 'recordPurchase', outcome });
    const graphqlOutcomes = ['ok', 'IDEMPOTENCY_CONFLICT', 'CUSTOMER_NOT_FOUND', 'PRODUCT_NOT_FOUND', 'BAD_USER_INPUT'];
    expect(moved(before, after, 'loyalty_graphql_requests_total', graphqlOutcomes.map(request))).toEqual([6, 1, 2, 1, 2]);
    expect(moved(before, after, 'loyalty_graphql_request_duration_seconds_count', graphqlOutcomes.map(request))).toEqual([6, 1, 2, 1, 2]);

    // One at a time, each purchase that reached the database (recorded, replayed, conflict, unknown customer) left alone.
    expect(after.value('loyalty_purchase_batch_size_count') - before.value('loyalty_purchase_batch_size_count')).toBe(9);
    expect(after.value('loyalty_purchase_batch_size_sum') - before.value('loyalty_purchase_batch_size_sum')).toBe(9);
    expect(after.value('loyalty_purchase_batch_size_bucket', { le: '1' }) - before.value('loyalty_purchase_batch_size_bucket', { le: '1' })).toBe(9);
    expect([after.get('loyalty_purchase_queue_depth'), after.get('loyalty_purchase_batches_in_flight')]).toEqual([0, 0]);
  });

  it('counts a burst of concurrent purchases once each, however they were batched', async () => {
    const before = await scrape(t);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        recordPurchase(t, pos.token, { transactionId: key('burst'), customerId: customers[i % 2], productId: product, quantity: 1 + (i % 3) }),
      ),
    );
    const credited = results.reduce((sum, r) => sum + BigInt(r.data!.recordPurchase.pointsAwarded), 0n);
    const after = await scrape(t);
    expect(moved(before, after, 'loyalty_purchases_total', [{ outcome: 'recorded' }])).toEqual([40]);
    expect(after.value('loyalty_points_credited_total') - before.value('loyalty_points_credited_total')).toBe(Number(credited));
    expect(after.value('loyalty_purchase_batch_size_sum') - before.value('loyalty_purchase_batch_size_sum')).toBe(40);
    const batches = after.value('loyalty_purchase_batch_size_count') - before.value('loyalty_purchase_batch_size_count');
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThanOrEqual(40);
    expect([after.get('loyalty_purchase_queue_depth'), after.get('loyalty_purchase_batches_in_flight')]).toEqual([0, 0]);
  });

  it('counts returns and adjustments as ledger movements, with the points they moved', async () => {
    const bought = await recordPurchase(t, pos.token, {
      transactionId: key('to-return'),
      customerId: customers[0],
      productId: product,
      quantity: 4,
      purchasedAt: hourAgo(),
    });
    const purchaseTransactionId = (bought.data as { recordPurchase: { purchase: { transactionId: string } } }).recordPurchase.purchase
      .transactionId;
    const before = await scrape(t);

    const returned = { transactionId: key('return'), purchaseTransactionId, quantity: 1 };
    const first = await recordReturn(t, pos.token, returned);
    const reversed = BigInt(first.data!.recordReturn.pointsReversed);
    expect(reversed).toBeGreaterThan(0n);
    expect((await recordReturn(t, pos.token, returned)).data?.recordReturn.replayed).toBe(true);
    const unknown = await recordReturn(t, pos.token, { transactionId: key('return'), purchaseTransactionId: 'no-such-sale', quantity: 1 });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const creditInput = { idempotencyKey: key('adj'), customerId: customers[1], points: '50', reason: 'Goodwill' };
    expect((await adjust(t, ADMIN_TOKEN, creditInput)).data?.adjustPoints.replayed).toBe(false);
    expect((await adjust(t, ADMIN_TOKEN, creditInput)).data?.adjustPoints.replayed).toBe(true);
    const debit = await adjust(t, ADMIN_TOKEN, { idempotencyKey: key('adj'), customerId: customers[1], points: '-20', reason: 'Correction' });
    expect(debit.data?.adjustPoints.replayed).toBe(false);
    const tooMuch = await adjust(t, ADMIN_TOKEN, { idempotencyKey: key('adj'), customerId: customers[1], points: '-99999999', reason: 'Too much' });
    expect(tooMuch.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_POINTS');
    const nobody = await adjust(t, ADMIN_TOKEN, { idempotencyKey: key('adj'), customerId: randomUUID(), points: '5', reason: 'Nobody' });
    expect(nobody.errors?.[0]?.extensions?.code).toBe('CUSTOMER_NOT_FOUND');
    const after = await scrape(t);

    const movement = (kind: string, outcome: string) => ({ kind, outcome });
    expect(
      moved(before, after, 'loyalty_ledger_movements_total', [
        movement('return', 'recorded'),
        movement('return', 'replayed'),
        movement('return', 'NOT_FOUND'),
        movement('adjustment', 'recorded'),
        movement('adjustment', 'replayed'),
        movement('adjustment', 'INSUFFICIENT_POINTS'),
        movement('adjustment', 'CUSTOMER_NOT_FOUND'),
      ]),
    ).toEqual([1, 1, 1, 2, 1, 1, 1]);
    expect(total(after, 'loyalty_ledger_movements_total') - total(before, 'loyalty_ledger_movements_total')).toBe(8);
    expect(
      moved(before, after, 'loyalty_ledger_movement_points_total', [
        { kind: 'return', direction: 'debit' },
        { kind: 'adjustment', direction: 'credit' },
        { kind: 'adjustment', direction: 'debit' },
      ]),
    ).toEqual([Number(reversed), 50, 20]);
    expect(total(after, 'loyalty_ledger_movement_points_total') - total(before, 'loyalty_ledger_movement_points_total')).toBe(
      Number(reversed) + 70,
    );
    // The kinds not moved here are there from the start, at their values (a dashboard's rate() needs the series).
    for (const kind of ['redemption', 'cancellation']) {
      expect(after.get('loyalty_ledger_movements_total', movement(kind, 'recorded'))).toEqual(expect.any(Number));
    }
  });

  it('counts redemptions and cancellations, with the points they moved', async () => {
    const customerId = await customerWith(t, 300n);
    const before = await scrape(t);
    const input = redeemInput(customerId, 120n);
    const first = await redeem(t, ADMIN_TOKEN, input);
    const redemptionId = (first.data as { redeemPoints: { redemption: { id: string } } }).redeemPoints.redemption.id;
    expect((await redeem(t, ADMIN_TOKEN, input)).errors).toBeUndefined();
    const tooMuch = await redeem(t, ADMIN_TOKEN, redeemInput(customerId, 1000n));
    expect(tooMuch.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_POINTS');
    expect((await cancel(t, ADMIN_TOKEN, redemptionId)).errors).toBeUndefined();
    expect((await cancel(t, ADMIN_TOKEN, redemptionId)).errors).toBeUndefined();
    expect((await cancel(t, ADMIN_TOKEN, randomUUID())).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const after = await scrape(t);

    expect(
      moved(before, after, 'loyalty_ledger_movements_total', [
        { kind: 'redemption', outcome: 'recorded' },
        { kind: 'redemption', outcome: 'replayed' },
        { kind: 'redemption', outcome: 'INSUFFICIENT_POINTS' },
        { kind: 'cancellation', outcome: 'recorded' },
        { kind: 'cancellation', outcome: 'replayed' },
        { kind: 'cancellation', outcome: 'NOT_FOUND' },
      ]),
    ).toEqual([1, 1, 1, 1, 1, 1]);
    expect(
      moved(before, after, 'loyalty_ledger_movement_points_total', [
        { kind: 'redemption', direction: 'debit' },
        { kind: 'cancellation', direction: 'credit' },
      ]),
    ).toEqual([120, 120]);
  });

  it('counts GraphQL requests by operation and outcome, and only those that reached GraphQL', async () => {
    const before = await scrape(t);
    const ask = (token: string | null, query: string) => t.gql(token, query);
    const code = async (token: string | null, query: string) => (await ask(token, query)).errors?.[0]?.extensions?.code ?? 'ok';
    expect(await code(ADMIN_TOKEN, `{ customer(id: "${customers[0]}") { id } }`)).toBe('ok');
    expect(await code(ADMIN_TOKEN, `{ customer(id: "${randomUUID()}") { id } }`)).toBe('ok');
    expect(await code(ADMIN_TOKEN, '{ __typename }')).toBe('ok');
    expect(await code(ADMIN_TOKEN, '{ customer(id: "x") {')).toBe('GRAPHQL_PARSE_FAILED');
    expect(await code(ADMIN_TOKEN, `{ customer(id: "${customers[0]}") { noSuchField } }`)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await code(ADMIN_TOKEN, '{ noSuchRootField }')).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await code(pos.token, `{ customer(id: "${customers[0]}") { id } }`)).toBe('FORBIDDEN');
    expect(await code(AUDITOR_TOKEN, 'query recordPurchase { trialBalance { total } }')).toBe('ok');
    // Answered by the edge before GraphQL: not a GraphQL request.
    expect(await code(null, '{ __typename }')).toBe('UNAUTHENTICATED');
    expect(await code('not-a-token-at-all-0000', '{ __typename }')).toBe('UNAUTHENTICATED');
    const after = await scrape(t);

    const request = (operation: string, outcome: string) => ({ operation, outcome });
    const expected: Array<[Record<string, string>, number]> = [
      [request('customer', 'ok'), 2],
      [request('introspection', 'ok'), 1],
      [request('unknown', 'GRAPHQL_PARSE_FAILED'), 1],
      [request('customer', 'GRAPHQL_VALIDATION_FAILED'), 1],
      [request('unknown', 'GRAPHQL_VALIDATION_FAILED'), 1],
      [request('customer', 'FORBIDDEN'), 1],
      [request('trialBalance', 'ok'), 1],
    ];
    const labels = expected.map(([l]) => l);
    expect(moved(before, after, 'loyalty_graphql_requests_total', labels)).toEqual(expected.map(([, n]) => n));
    expect(moved(before, after, 'loyalty_graphql_request_duration_seconds_count', labels)).toEqual(expected.map(([, n]) => n));
    expect(total(after, 'loyalty_graphql_requests_total') - total(before, 'loyalty_graphql_requests_total')).toBe(8);
    // Every request took some time, and less than the test did.
    const seconds = total(after, 'loyalty_graphql_request_duration_seconds_sum') - total(before, 'loyalty_graphql_request_duration_seconds_sum');
    expect(seconds).toBeGreaterThan(0);
  });

  it('shows both pools: their clients and the waits for one', async () => {
    const auth = t.app.get<Pool>(AUTH_POOL);
    const before = await scrape(t);
    for (const pool of ['main', 'auth']) {
      for (const state of ['total', 'idle', 'waiting']) expect(before.get('loyalty_db_pool_clients', { pool, state })).toEqual(expect.any(Number));
    }
    expect(before.value('loyalty_db_pool_clients', { pool: 'main', state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(before.value('loyalty_db_pool_clients', { pool: 'main', state: 'total' })).toBeLessThanOrEqual(t.config.dbPoolSize);
    expect(before.value('loyalty_db_pool_acquire_seconds_count', { pool: 'main' })).toBeGreaterThan(0);

    // Every client of the token lookups' pool (AUTH_POOL_SIZE 2) taken, and one more asked for: it waits.
    const held: PoolClient[] = [await auth.connect(), await auth.connect()];
    const third = auth.connect();
    const during = await scrape(t);
    expect(['total', 'idle', 'waiting'].map((state) => during.get('loyalty_db_pool_clients', { pool: 'auth', state }))).toEqual([2, 0, 1]);
    held[0].release();
    held.push(await third);
    for (const client of held.slice(1)) client.release();
    const after = await scrape(t);
    expect(after.get('loyalty_db_pool_clients', { pool: 'auth', state: 'waiting' })).toBe(0);
    // Three acquisitions, the one that waited included; nothing else used that pool meanwhile.
    expect(moved(before, after, 'loyalty_db_pool_acquire_seconds_count', [{ pool: 'auth' }])).toEqual([3]);
  });

  it('has no id in any label, and only the bounded values in its own labels', async () => {
    const s = await scrape(t);
    expect(s.text).not.toMatch(UUID);
    const values = (label: string) => new Set(s.samples.filter((x) => x.name.startsWith('loyalty_') && label in x.labels).map((x) => x.labels[label]));
    const codes = ['BAD_USER_INPUT', 'CUSTOMER_NOT_FOUND', 'PRODUCT_NOT_FOUND', 'NOT_FOUND', 'IDEMPOTENCY_CONFLICT', 'INSUFFICIENT_POINTS', 'FORBIDDEN'];
    for (const outcome of values('outcome')) {
      expect(['ok', 'recorded', 'replayed', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', ...codes]).toContain(outcome);
    }
    for (const operation of values('operation')) expect(operation).toMatch(/^(introspection|unknown|[a-zA-Z]+)$/);
    expect([...values('pool')].sort()).toEqual(['auth', 'main']);
    expect([...values('kind')].sort()).toEqual(['adjustment', 'cancellation', 'redemption', 'return']);
  });
});
