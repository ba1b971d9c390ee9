import { randomUUID } from 'node:crypto';
import { errorCode, Fixtures, recordPurchase } from '../support/fixtures';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { Answer, balancesAndCredits, recordedFor, recordPurchases } from './ingestion-kit';

const CUSTOMERS = 20;
const ITEMS = 1000;

/**
 * recordPurchases answers each item exactly as recordPurchase would, the items sent one by one in input order.
 * The proof: the same 1,000 items (relative to twin customers) are sent as one batch by one retailer and one by
 * one through recordPurchase by another, and the answers must be identical but for ids and times.
 */
describe('recordPurchases', () => {
  let t: TestApp;
  let f: Fixtures;
  let productId: string;
  let promotionId: string;
  const unknownCustomer = randomUUID();
  const unknownProduct = randomUUID();
  const past = new Date(Date.now() - 3_600_000).toISOString();
  const future = new Date(Date.now() + 3_600_000).toISOString();

  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    productId = await f.product(1250);
    promotionId = (await f.promotion({ productId, awardRate: '2' })).id;
  });
  afterAll(() => t.close());

  async function customers(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await f.customer());
    return ids;
  }

  /** Item i of the mixed call; `pre` are the purchases recorded before it (for replays and conflicts). */
  function mixedItems(customerIds: string[]) {
    const pre: Array<Record<string, unknown>> = [];
    const items: Array<Record<string, unknown>> = [];
    const valid = (i: number, transactionId: string, quantity = 1 + (i % 5)) => ({
      transactionId,
      customerId: customerIds[i % CUSTOMERS],
      productId,
      quantity,
      purchasedAt: past,
    });
    for (let i = 0; i < ITEMS; i++) {
      const r = i % 10;
      if (r <= 4) items.push(valid(i, `b-${i}`));
      else if (r === 5) items.push(items[i - 5]); // the same purchase again in the call: a replay
      else if (r === 6) {
        pre.push(valid(i, `pre-${i}`));
        items.push(valid(i, `pre-${i}`)); // recorded before the call: a replay
      } else if (r === 7) {
        pre.push(valid(i, `pre-${i}`, 7));
        items.push(valid(i, `pre-${i}`, 8)); // recorded before with another quantity: a conflict
      } else if (r === 8) items.push({ ...(items[i - 7] as object), quantity: 9 }); // conflicts with item i-7
      else {
        const k = Math.floor(i / 10) % 7;
        const own = `x-${i}`;
        const earlier = `x-${i - 10}`;
        if (k === 0) items.push({ ...valid(i, own), customerId: unknownCustomer });
        else if (k === 1) items.push(valid(i, earlier)); // the earlier item (unknown customer) recorded nothing
        else if (k === 2) items.push({ ...valid(i, own), productId: unknownProduct });
        else if (k === 3) items.push({ ...valid(i, own), quantity: 0 });
        else if (k === 4) items.push({ ...valid(i, own), customerId: 'not-a-uuid' });
        else if (k === 5) items.push({ ...valid(i, own), purchasedAt: future });
        else items.push(valid(i, earlier)); // the earlier item (in the future) was refused: this one records
      }
    }
    return { pre, items };
  }

  /** An answer without what differs between two runs by design: ids, times, and customers as their index. */
  function comparable(answer: Answer, customerIds: string[]) {
    if (!answer.result) return { error: answer.error };
    const { id, recordedAt, retailerId, customerId, ...purchase } = answer.result.purchase;
    expect([id, recordedAt, retailerId]).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
    return { ...answer.result, purchase: { ...purchase, customer: customerIds.indexOf(customerId) } };
  }

  it('answers 1,000 mixed items in one call exactly as recordPurchase answers them one by one, and keeps the ledger exact', async () => {
    const [batchRetailer, singleRetailer] = [await f.retailer(), await f.retailer()];
    const [batchCustomers, singleCustomers] = [await customers(CUSTOMERS), await customers(CUSTOMERS)];
    const batch = mixedItems(batchCustomers);
    const single = mixedItems(singleCustomers);
    for (const input of batch.pre) expect(errorCode(await recordPurchase(t, batchRetailer.token, input))).toBeUndefined();
    for (const input of single.pre) expect(errorCode(await recordPurchase(t, singleRetailer.token, input))).toBeUndefined();

    const r = await recordPurchases(t, batchRetailer.token, batch.items);
    expect(r.errors).toBeUndefined();
    const answers = r.data!.recordPurchases;
    expect(answers).toHaveLength(ITEMS);

    const expected: Answer[] = [];
    for (const input of single.items) {
      const one = await recordPurchase(t, singleRetailer.token, input);
      const error = one.errors?.[0];
      expected.push(
        error
          ? { result: null, error: { code: String(error.extensions?.code), message: error.message } }
          : { result: one.data!.recordPurchase, error: null },
      );
    }
    expect(answers.map((a) => comparable(a, batchCustomers))).toEqual(expected.map((a) => comparable(a, singleCustomers)));

    // The mix is what it was meant to be (so that the comparison above compares every kind of answer).
    const kinds = answers.map((a) => (a.error ? a.error.code : a.result!.replayed ? 'replayed' : 'recorded'));
    const count = (kind: string) => kinds.filter((k) => k === kind).length;
    expect(kinds.slice(0, 10)).toEqual(['recorded', 'recorded', 'recorded', 'recorded', 'recorded', 'replayed', 'replayed',
      'IDEMPOTENCY_CONFLICT', 'IDEMPOTENCY_CONFLICT', 'CUSTOMER_NOT_FOUND']);
    expect([kinds[19], kinds[29], kinds[39], kinds[49], kinds[59], kinds[69]]).toEqual(
      ['recorded', 'PRODUCT_NOT_FOUND', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'recorded']);
    expect(answers[39].error!.message).toMatch(/quantity/);
    expect(answers[49].error!.message).toMatch(/customerId/);
    expect(answers[59].error!.message).toBe('purchasedAt is more than 5 minutes in the future');
    // 100 rounds of 10: 5 new, 2 replays, 2 conflicts, and the 10th: k 1 and 6 record, the others are refused.
    const lastRecords = [...Array(100).keys()].filter((round) => [1, 6].includes(round % 7)).length;
    expect(count('recorded')).toBe(500 + lastRecords);
    expect(count('replayed')).toBe(200);
    expect(count('IDEMPOTENCY_CONFLICT')).toBe(200);

    // Each item's points once; balances are the sum of their customer's purchases.
    const recorded = await recordedFor(t, batchRetailer.id);
    expect(recorded.count).toBe(500 + lastRecords + 200); // the batch's new keys and the 200 recorded before
    const ledger = await balancesAndCredits(t, batchCustomers);
    expect(ledger.map((c) => c.balance)).toEqual(ledger.map((c) => c.credits));
    expect(ledger.reduce((s, c) => s + c.balance, 0n)).toBe(recorded.points);
    const { rows } = await t.sql.query<{ n: string }>(
      `select count(*)::text as n from ledger_transactions l join purchases p on p.id = l.purchase_id where p.retailer_id = $1`,
      [batchRetailer.id],
    );
    expect(Number(rows[0].n)).toBe(recorded.count);
    expect(answers[0].result!.purchase.promotionId).toBe(promotionId);
  });

  it('applies the same transactionId twice in one call as two calls in that order', async () => {
    const retailer = await f.retailer();
    const [customerId] = await customers(1);
    const item = { transactionId: 'twice', customerId, productId, quantity: 2, purchasedAt: past };
    const r = await recordPurchases(t, retailer.token, [item, item, { ...item, quantity: 3 }]);
    const [first, second, third] = r.data!.recordPurchases;
    expect(first.result).toMatchObject({ replayed: false, pointsAwarded: '50', customerBalance: '50' });
    expect(second.result).toMatchObject({ replayed: true, pointsAwarded: '50', customerBalance: '50' });
    expect(second.result!.purchase.id).toBe(first.result!.purchase.id);
    expect(third).toEqual({ result: null, error: { code: 'IDEMPOTENCY_CONFLICT', message: expect.any(String) } });
    expect(await f.balance(customerId)).toBe(50n);
  });

  it('gives a replay the balance of its place in the call, before the later items credit the same customer', async () => {
    const retailer = await f.retailer();
    const [customerId] = await customers(1);
    const item = (transactionId: string) => ({ transactionId, customerId, productId, quantity: 1, purchasedAt: past });
    expect(errorCode(await recordPurchase(t, retailer.token, item('a')))).toBeUndefined(); // 25 points
    const r = await recordPurchases(t, retailer.token, [item('b'), item('a'), item('c')]);
    expect(r.data!.recordPurchases.map((a) => [a.result!.replayed, a.result!.customerBalance])).toEqual([
      [false, '50'],
      [true, '50'],
      [false, '75'],
    ]);
  });

  it('refuses an empty list and 1,001 items as a whole, recording nothing', async () => {
    const retailer = await f.retailer();
    const [customerId] = await customers(1);
    const items = [...Array(1001).keys()].map((i) => ({ transactionId: `n-${i}`, customerId, productId, quantity: 1 }));
    for (const inputs of [[], items]) {
      const r = await recordPurchases(t, retailer.token, inputs);
      expect(errorCode(r)).toBe('BAD_USER_INPUT');
      expect(r.errors![0].message).toBe(`recordPurchases takes 1 to 1000 purchases; ${inputs.length} were sent`);
    }
    expect(await recordedFor(t, retailer.id)).toEqual({ count: 0, points: 0n });
    expect(await f.balance(customerId)).toBe(0n);
  });

  it('is for POS tokens only', async () => {
    const [customerId] = await customers(1);
    const inputs = [{ transactionId: 'role', customerId, productId, quantity: 1 }];
    expect(errorCode(await recordPurchases(t, ADMIN_TOKEN, inputs))).toBe('FORBIDDEN');
    expect(errorCode(await recordPurchases(t, AUDITOR_TOKEN, inputs))).toBe('FORBIDDEN');
    expect(errorCode(await recordPurchases(t, null, inputs))).toBe('UNAUTHENTICATED');
    expect(await f.balance(customerId)).toBe(0n);
  });

  it('counts a recordPurchases field as one ledger write of MAX_PURCHASES_PER_REQUEST', async () => {
    const retailer = await f.retailer();
    const [customerId] = await customers(1);
    const fields = (n: number) =>
      [...Array(n).keys()].map((i) => `b${i}: recordPurchases(inputs: $inputs) { error { code } }`).join(' ');
    const inputs = [{ transactionId: 'limit', customerId, productId, quantity: 1 }];
    const over = await t.gql(retailer.token, `mutation($inputs: [RecordPurchaseInput!]!) { ${fields(11)} }`, { inputs });
    expect(errorCode(over)).toBe('QUERY_TOO_COMPLEX');
    expect(await f.balance(customerId)).toBe(0n);
    const within = await t.gql(retailer.token, `mutation($inputs: [RecordPurchaseInput!]!) { ${fields(10)} }`, { inputs });
    expect(within.errors).toBeUndefined();
    expect(await f.balance(customerId)).toBe(25n);
  });

  it('credits each key once when two calls with overlapping transactionIds run at once', async () => {
    const retailer = await f.retailer();
    const customerIds = await customers(10);
    const item = (i: number) => ({ transactionId: `o-${i}`, customerId: customerIds[i % 10], productId, quantity: 1, purchasedAt: past });
    const first = [...Array(600).keys()].map(item); // o-0 .. o-599
    const second = [...Array(600).keys()].map((i) => item(i + 300)).reverse(); // o-899 .. o-300
    const [a, b] = await Promise.all([recordPurchases(t, retailer.token, first), recordPurchases(t, retailer.token, second)]);
    expect([a.errors, b.errors]).toEqual([undefined, undefined]);
    const outcomes = new Map<string, boolean[]>();
    for (const answer of [...a.data!.recordPurchases, ...b.data!.recordPurchases]) {
      const key = answer.result!.purchase.transactionId;
      outcomes.set(key, [...(outcomes.get(key) ?? []), answer.result!.replayed]);
    }
    expect(outcomes.size).toBe(900);
    const overlap = [...outcomes.entries()].filter(([, seen]) => seen.length === 2);
    expect(overlap).toHaveLength(300);
    expect(overlap.every(([, seen]) => seen.filter((replayed) => !replayed).length === 1)).toBe(true);
    expect(await recordedFor(t, retailer.id)).toEqual({ count: 900, points: 900n * 25n });
    const ledger = await balancesAndCredits(t, customerIds);
    expect(ledger.map((c) => c.balance)).toEqual(Array(10).fill(90n * 25n));
  });
});
