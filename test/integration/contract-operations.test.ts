import { createHash } from 'node:crypto';
import { Fixtures, recordPurchase } from '../support/fixtures';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestApp, TestApp } from '../support/test-app';
import { isoFromNow, txn } from './helpers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PROMOTION_FIELDS = 'id seriesId version productId retailerId region startDate endDate awardRate';
const PURCHASE_FIELDS = `id transactionId retailerId customerId productId quantity unitPriceCents totalPriceCents
  promotionId awardRate pointsEarned purchasedAt recordedAt`;

interface PromotionData {
  id: string;
  seriesId: string;
  version: number;
  productId: string;
  retailerId: string | null;
  region: string | null;
  startDate: string;
  endDate: string;
  awardRate: string;
}

describe('every contract operation through HTTP GraphQL', () => {
  let t: TestApp;
  let f: Fixtures;
  beforeAll(async () => {
    t = await startTestApp();
    f = new Fixtures(t);
  });
  afterAll(() => t.close());

  const createPromotion = (input: Record<string, unknown>) =>
    t.gql<{ createPromotion: PromotionData }>(
      ADMIN_TOKEN,
      `mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { ${PROMOTION_FIELDS} } }`,
      { input },
    );
  const revisePromotion = (id: string, input: Record<string, unknown>) =>
    t.gql<{ revisePromotion: PromotionData }>(
      ADMIN_TOKEN,
      `mutation($id: ID!, $input: RevisePromotionInput!) { revisePromotion(id: $id, input: $input) { ${PROMOTION_FIELDS} } }`,
      { id, input },
    );
  const purchaseQuery = (token: string, retailerId: string, transactionId: string) =>
    t.gql<{ purchase: Record<string, unknown> | null }>(
      token,
      `query($r: ID!, $t: String!) { purchase(retailerId: $r, transactionId: $t) { ${PURCHASE_FIELDS} } }`,
      { r: retailerId, t: transactionId },
    );

  it('createRetailer shows the token once and stores only its sha256 digest', async () => {
    const r = await t.gql<{ createRetailer: { authToken: string; retailer: Record<string, unknown> } }>(
      ADMIN_TOKEN,
      'mutation($input: CreateRetailerInput!) { createRetailer(input: $input) { authToken retailer { id name region timezone } } }',
      { input: { name: 'Corner Shop', region: 'west', timezone: 'America/Chicago' } },
    );
    expect(r.errors).toBeUndefined();
    const { authToken, retailer } = r.data!.createRetailer;
    expect(retailer).toEqual({ id: expect.stringMatching(UUID), name: 'Corner Shop', region: 'west', timezone: 'America/Chicago' });
    expect(authToken.length).toBeGreaterThanOrEqual(32);

    const { rows } = await t.sql.query<{ token_hash: Buffer; whole_row: string }>(
      'select token_hash, row_to_json(r)::text as whole_row from retailers r where id = $1',
      [retailer.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash.equals(createHash('sha256').update(authToken).digest())).toBe(true);
    expect(rows[0].whole_row).not.toContain(authToken);
    const anywhere = await t.sql.query('select 1 from retailers r where row_to_json(r)::text like $1', [`%${authToken}%`]);
    expect(anywhere.rowCount).toBe(0);

    // The token works as a POS token: it may read its own (absent) purchase.
    const own = await purchaseQuery(authToken, retailer.id as string, 'none');
    expect(own.errors).toBeUndefined();
    expect(own.data?.purchase).toBeNull();
  });

  it('createRetailer defaults the time zone to UTC and the region to null', async () => {
    const r = await t.gql<{ createRetailer: { retailer: Record<string, unknown> } }>(
      ADMIN_TOKEN,
      'mutation { createRetailer(input: { name: "Plain" }) { authToken retailer { name region timezone } } }',
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.createRetailer.retailer).toEqual({ name: 'Plain', region: null, timezone: 'UTC' });
  });

  it('createCustomer returns the customer with a zero balance', async () => {
    const r = await t.gql<{ createCustomer: Record<string, unknown> }>(
      ADMIN_TOKEN,
      'mutation { createCustomer(input: { firstName: "Ada", lastName: "Lovelace" }) { id firstName lastName pointBalance } }',
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.createCustomer).toEqual({ id: expect.stringMatching(UUID), firstName: 'Ada', lastName: 'Lovelace', pointBalance: '0' });
  });

  it('createProduct returns the product', async () => {
    const r = await t.gql<{ createProduct: Record<string, unknown> }>(
      ADMIN_TOKEN,
      'mutation { createProduct(input: { name: "Stout 6-pack", priceCents: 1299 }) { id name priceCents } }',
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.createProduct).toEqual({ id: expect.stringMatching(UUID), name: 'Stout 6-pack', priceCents: 1299 });
  });

  it('createPromotion starts a series at version 0 whose seriesId is its id', async () => {
    const productId = await f.product(500);
    const retailer = await f.retailer();
    const r = await createPromotion({ productId, retailerId: retailer.id, startDate: '2026-01-01', endDate: '2026-12-31', awardRate: '1.50' });
    expect(r.errors).toBeUndefined();
    const p = r.data!.createPromotion;
    expect(p).toEqual({
      id: expect.stringMatching(UUID),
      seriesId: p.id,
      version: 0,
      productId,
      retailerId: retailer.id,
      region: null,
      startDate: '2026-01-01',
      endDate: '2026-12-31',
      awardRate: '1.5',
    });

    const regional = await createPromotion({ productId, region: 'north', startDate: '2026-02-01', endDate: '2026-02-28', awardRate: '3' });
    expect(regional.errors).toBeUndefined();
    expect(regional.data?.createPromotion).toMatchObject({ version: 0, retailerId: null, region: 'north', awardRate: '3' });
  });

  it('revisePromotion appends the next version; omitted fields keep the latest values; any version id names the series', async () => {
    const productId = await f.product(500);
    const v0 = (await createPromotion({ productId, region: 'south', startDate: '2026-01-01', endDate: '2026-06-30', awardRate: '2' })).data!
      .createPromotion;

    const r1 = await revisePromotion(v0.id, { awardRate: '2.25' });
    expect(r1.errors).toBeUndefined();
    const v1 = r1.data!.revisePromotion;
    expect(v1).toEqual({
      id: expect.stringMatching(UUID),
      seriesId: v0.id,
      version: 1,
      productId,
      retailerId: null,
      region: 'south',
      startDate: '2026-01-01',
      endDate: '2026-06-30',
      awardRate: '2.25',
    });
    expect(v1.id).not.toBe(v0.id);

    // Revised through the id of version 0: the values kept are version 1's, not version 0's.
    const r2 = await revisePromotion(v0.id, { endDate: '2026-03-31' });
    expect(r2.errors).toBeUndefined();
    expect(r2.data?.revisePromotion).toMatchObject({ seriesId: v0.id, version: 2, awardRate: '2.25', startDate: '2026-01-01', endDate: '2026-03-31' });

    // Revised through the id of version 1.
    const r3 = await revisePromotion(v1.id, { startDate: '2026-02-01' });
    expect(r3.errors).toBeUndefined();
    expect(r3.data?.revisePromotion).toMatchObject({ seriesId: v0.id, version: 3, awardRate: '2.25', startDate: '2026-02-01', endDate: '2026-03-31' });

    const { rows } = await t.sql.query('select version from promotions where series_id = $1 order by version', [v0.id]);
    expect(rows.map((row) => row.version)).toEqual([0, 1, 2, 3]);
  });

  describe('recordPurchase, customer and purchase', () => {
    let retailer: { id: string; token: string };
    let customerId: string;
    let productId: string;
    let promotionId: string;
    // Each test its own shop, customer, product and promotion: a balance it asserts is the sum of its own purchases.
    beforeEach(async () => {
      retailer = await f.retailer({ name: 'Shop', timezone: 'UTC' });
      customerId = await f.customer('Grace', 'Hopper');
      productId = await f.product(250);
      promotionId = (await f.promotion({ productId, awardRate: '10', retailerId: retailer.id })).id;
    });

    /** 3 at the list price of 250 cents at 10 points per dollar: 75 points. */
    const recordThreeAtListPrice = async () => {
      const r = await recordPurchase(t, retailer.token, { transactionId: txn('list-price'), customerId, productId, quantity: 3 });
      expect(r.errors).toBeUndefined();
      expect(r.data?.recordPurchase.pointsAwarded).toBe('75');
    };

    it('recordPurchase returns every Purchase field; the price defaults to the list price, purchasedAt to now', async () => {
      const transactionId = txn('defaults');
      const before = Date.now();
      const r = await recordPurchase(t, retailer.token, { transactionId, customerId, productId, quantity: 3 });
      const after = Date.now();
      expect(r.errors).toBeUndefined();
      const result = r.data!.recordPurchase;
      expect(result).toMatchObject({ pointsAwarded: '75', customerBalance: '75', replayed: false });
      expect(result.purchase).toMatchObject({
        id: expect.stringMatching(UUID),
        transactionId,
        retailerId: retailer.id,
        customerId,
        productId,
        quantity: 3,
        unitPriceCents: 250,
        totalPriceCents: '750',
        promotionId,
        awardRate: '10',
        pointsEarned: '75',
      });
      const purchasedAt = Date.parse(result.purchase.purchasedAt);
      const recordedAt = Date.parse(result.purchase.recordedAt);
      expect(purchasedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(purchasedAt).toBeLessThanOrEqual(after + 1000);
      expect(recordedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(recordedAt).toBeLessThanOrEqual(after + 1000);

      const { rows } = await t.sql.query('select unit_price_cents, total_price_cents::text as total, points_earned::text as points from purchases where id = $1', [
        result.purchase.id,
      ]);
      expect(rows).toEqual([{ unit_price_cents: 250, total: '750', points: '75' }]);
    });

    it('recordPurchase uses the unit price and purchasedAt given', async () => {
      await recordThreeAtListPrice();
      const transactionId = txn('given');
      const purchasedAt = new Date(Math.floor((Date.now() - 3_600_000) / 1000) * 1000);
      const r = await recordPurchase(t, retailer.token, {
        transactionId,
        customerId,
        productId,
        quantity: 2,
        unitPriceCents: 199,
        purchasedAt: purchasedAt.toISOString(),
      });
      expect(r.errors).toBeUndefined();
      expect(r.data?.recordPurchase.purchase).toMatchObject({ unitPriceCents: 199, totalPriceCents: '398', pointsEarned: '39' });
      expect(Date.parse(r.data!.recordPurchase.purchase.purchasedAt)).toBe(purchasedAt.getTime());
      expect(r.data?.recordPurchase.customerBalance).toBe(String(75 + 39));
    });

    it('customer returns the balance materialized from the ledger, for ADMIN and AUDITOR; null when unknown', async () => {
      await recordThreeAtListPrice();
      const given = await recordPurchase(t, retailer.token, { transactionId: txn('given'), customerId, productId, quantity: 2, unitPriceCents: 199 });
      expect(given.data?.recordPurchase.pointsAwarded).toBe('39');
      const query = 'query($id: ID!) { customer(id: $id) { id firstName lastName pointBalance } }';
      for (const token of [ADMIN_TOKEN, AUDITOR_TOKEN]) {
        const r = await t.gql<{ customer: Record<string, unknown> | null }>(token, query, { id: customerId });
        expect(r.errors).toBeUndefined();
        expect(r.data?.customer).toEqual({ id: customerId, firstName: 'Grace', lastName: 'Hopper', pointBalance: '114' });
      }
      const { rows } = await t.sql.query('select coalesce(sum(amount), 0)::text as s from ledger_entries where account_id = $1', [customerId]);
      expect(rows[0].s).toBe('114');
      const unknown = await t.gql<{ customer: unknown }>(ADMIN_TOKEN, query, { id: '00000000-0000-4000-8000-000000000001' });
      expect(unknown.errors).toBeUndefined();
      expect(unknown.data?.customer).toBeNull();
    });

    it('purchase is readable by ADMIN, AUDITOR and the POS of its own retailer; null when not found', async () => {
      const transactionId = txn('read');
      const recorded = await recordPurchase(t, retailer.token, { transactionId, customerId, productId, quantity: 1, purchasedAt: isoFromNow(-60_000) });
      expect(recorded.errors).toBeUndefined();
      const expected = recorded.data!.recordPurchase.purchase;
      for (const token of [ADMIN_TOKEN, AUDITOR_TOKEN, retailer.token]) {
        const r = await purchaseQuery(token, retailer.id, transactionId);
        expect(r.errors).toBeUndefined();
        expect(r.data?.purchase).toEqual(expected);
        const missing = await purchaseQuery(token, retailer.id, 'no-such-transaction');
        expect(missing.errors).toBeUndefined();
        expect(missing.data?.purchase).toBeNull();
      }
      const otherRetailer = await f.retailer();
      const elsewhere = await purchaseQuery(ADMIN_TOKEN, otherRetailer.id, transactionId);
      expect(elsewhere.errors).toBeUndefined();
      expect(elsewhere.data?.purchase).toBeNull();
    });
  });
});
