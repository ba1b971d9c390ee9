import { PURCHASE_FIELDS, RECORD_PURCHASES, recordedFor } from '../ingestion/ingestion-kit';
import { errorCode, Fixtures } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A request's answer can be far larger than the request: each name of the selection (an alias is any name the
 * caller likes) is written once per item of every list it sits in. A POS could send a 1,000-item batch whose
 * selection holds a 300,000-character alias: the service recorded the batch, then ran out of heap serialising a
 * ~300 MB answer and died (found 2026-12-03 with the production flags). Such requests are refused before anything
 * runs: names are bounded (GRAPHQL_MAX_NAME_LENGTH), and a batch field is priced at the most items a call takes,
 * so the estimated cost bounds the answer whatever its aliases and items (GRAPHQL_MAX_COST).
 */
describe('answers bounded before anything runs', () => {
  let t: TestApp;
  let f: Fixtures;
  let customerId: string;
  let productId: string;
  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
    customerId = await f.customer();
    productId = await f.product(1000);
    await f.promotion({ productId, awardRate: '10' });
  });
  afterAll(() => t.close());

  const items = (prefix: string, n = 1000) =>
    Array.from({ length: n }, (_, i) => ({ transactionId: `${prefix}-${i}`, customerId, productId, quantity: 1 }));

  it('refuses a name longer than GRAPHQL_MAX_NAME_LENGTH, recording nothing', async () => {
    const retailer = await f.retailer();
    const alias = 'a'.repeat(50_000);
    const r = await t.gql(retailer.token, `mutation($inputs: [RecordPurchaseInput!]!) { recordPurchases(inputs: $inputs) { ${alias}: error { code } } }`, {
      inputs: items('long-alias'),
    });
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors![0].message).toMatch(/GRAPHQL_MAX_NAME_LENGTH/);
    expect(await recordedFor(t, retailer.id)).toEqual({ count: 0, points: 0n });
  });

  /** `n` aliases of recordPurchases on one list variable, each answering every field of the contract. */
  const aliased = (n: number) =>
    `mutation($inputs: [RecordPurchaseInput!]!) { ${Array.from({ length: n }, (_, i) => `b${i}: recordPurchases(inputs: $inputs) { ...Outcome }`).join(' ')} }
     fragment Outcome on PurchaseOutcome {
       result { pointsAwarded customerBalance replayed purchase { ${PURCHASE_FIELDS} } }
       error { code message } }`;

  it('refuses ten full answers of one 1,000-item list before recording anything', async () => {
    const retailer = await f.retailer();
    // Before: the batch was recorded, then its ~6 MB answer replaced by GRAPHQL_MAX_RESPONSE_BYTES's error.
    const r = await t.gql(retailer.token, aliased(10), { inputs: items('ten') });
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors![0].message).toMatch(/GRAPHQL_MAX_COST/);
    expect(await recordedFor(t, retailer.id)).toEqual({ count: 0, points: 0n });
  });

  it('still takes a full batch of 1,000 with every field of the contract selected', async () => {
    const retailer = await f.retailer();
    const r = await t.gql<{ recordPurchases: unknown[] }>(retailer.token, RECORD_PURCHASES, { inputs: items('full') });
    expect(r.errors).toBeUndefined();
    expect(r.data!.recordPurchases).toHaveLength(1000);
    expect(await recordedFor(t, retailer.id)).toEqual({ count: 1000, points: 100_000n });
  });

  it('prices a batch field at the most items a call takes, from the document alone: two full answers are refused even for 2 items', async () => {
    const retailer = await f.retailer();
    expect(errorCode(await t.gql(retailer.token, aliased(2), { inputs: items('two', 2) }))).toBe('QUERY_TOO_COMPLEX');
    expect(await recordedFor(t, retailer.id)).toEqual({ count: 0, points: 0n });
    expect((await t.gql(retailer.token, aliased(1), { inputs: items('one', 2) })).errors).toBeUndefined();
    expect(await recordedFor(t, retailer.id)).toEqual({ count: 2, points: 200n });
  });
});
