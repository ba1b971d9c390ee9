import { ADMIN_TOKEN, GraphqlResponse, TestApp } from './test-app';

/** Back-office and POS calls through the public API, failing loudly when the API refuses them. */
export class Fixtures {
  constructor(private readonly t: TestApp) {}

  private async must<T>(query: string, variables: Record<string, unknown>, token = ADMIN_TOKEN): Promise<T> {
    const r = await this.t.gql<T>(token, query, variables);
    if (r.errors?.length || !r.data) throw new Error(`fixture call failed: ${JSON.stringify(r.errors)}`);
    return r.data;
  }

  async retailer(input: { name?: string; region?: string | null; timezone?: string } = {}) {
    const data = await this.must<{ createRetailer: { authToken: string; retailer: { id: string; region: string | null; timezone: string } } }>(
      'mutation($input: CreateRetailerInput!) { createRetailer(input: $input) { authToken retailer { id name region timezone } } }',
      { input: { name: input.name ?? 'Test Retailer', region: input.region ?? null, timezone: input.timezone ?? 'UTC' } },
    );
    return { id: data.createRetailer.retailer.id, token: data.createRetailer.authToken };
  }

  async customer(firstName = 'Test', lastName = 'Customer'): Promise<string> {
    const data = await this.must<{ createCustomer: { id: string } }>(
      'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }',
      { input: { firstName, lastName } },
    );
    return data.createCustomer.id;
  }

  async product(priceCents = 1000, name = 'Test Beer'): Promise<string> {
    const data = await this.must<{ createProduct: { id: string } }>(
      'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      { input: { name, priceCents } },
    );
    return data.createProduct.id;
  }

  async promotion(input: {
    productId: string;
    awardRate: string;
    startDate?: string;
    endDate?: string;
    retailerId?: string;
    region?: string;
  }): Promise<{ id: string; seriesId: string; version: number }> {
    const data = await this.must<{ createPromotion: { id: string; seriesId: string; version: number } }>(
      'mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id seriesId version } }',
      { input: { startDate: '2000-01-01', endDate: '2999-12-31', ...input } },
    );
    return data.createPromotion;
  }

  async revise(id: string, input: { startDate?: string; endDate?: string; awardRate?: string }) {
    const data = await this.must<{ revisePromotion: { id: string; version: number } }>(
      'mutation($id: ID!, $input: RevisePromotionInput!) { revisePromotion(id: $id, input: $input) { id version } }',
      { id, input },
    );
    return data.revisePromotion;
  }

  balance(customerId: string): Promise<bigint> {
    return this.must<{ customer: { pointBalance: string } }>('query($id: ID!) { customer(id: $id) { pointBalance } }', {
      id: customerId,
    }).then((d) => BigInt(d.customer.pointBalance));
  }
}

export const RECORD_PURCHASE = `mutation($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) {
    pointsAwarded customerBalance replayed
    purchase { id transactionId retailerId customerId productId quantity unitPriceCents totalPriceCents
               promotionId awardRate pointsEarned purchasedAt recordedAt }
  }
}`;

export interface RecordPurchaseData {
  recordPurchase: {
    pointsAwarded: string;
    customerBalance: string;
    replayed: boolean;
    purchase: {
      id: string;
      transactionId: string;
      retailerId: string;
      customerId: string;
      productId: string;
      quantity: number;
      unitPriceCents: number;
      totalPriceCents: string;
      promotionId: string | null;
      awardRate: string | null;
      pointsEarned: string;
      purchasedAt: string;
      recordedAt: string;
    };
  };
}

export function recordPurchase(
  t: TestApp,
  token: string | null,
  input: Record<string, unknown>,
): Promise<GraphqlResponse<RecordPurchaseData>> {
  return t.gql<RecordPurchaseData>(token, RECORD_PURCHASE, { input });
}

export function errorCode(r: GraphqlResponse<unknown>): string | undefined {
  return r.errors?.[0]?.extensions?.code;
}

/** What the ledger holds, read straight from the tables: the numbers every invariant is stated on. */
export async function ledgerSnapshot(t: TestApp) {
  const q = async (text: string) => (await t.sql.query(text)).rows;
  return {
    purchases: Number((await q('select count(*) as n from purchases'))[0].n),
    transactions: Number((await q('select count(*) as n from ledger_transactions'))[0].n),
    entries: Number((await q('select count(*) as n from ledger_entries'))[0].n),
    balanceTotal: BigInt((await q('select coalesce(sum(balance),0)::text as s from account_balances'))[0].s),
  };
}
