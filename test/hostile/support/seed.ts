import { randomUUID } from 'node:crypto';
import { graphqlData, graphqlErrors, RawResponse } from './http-client';
import { ADMIN_TOKEN, ServiceProcess } from './service-process';

export interface Seed {
  retailers: Array<{ id: string; token: string }>;
  customerIds: string[];
  productIds: string[];
  promotionId: string;
}

async function must<T>(service: ServiceProcess, query: string, variables: Record<string, unknown>): Promise<T> {
  const response: RawResponse = await service.gql(ADMIN_TOKEN, query, variables);
  const data = graphqlData<T>(response);
  if (response.status !== 200 || graphqlErrors(response).length > 0 || !data) {
    throw new Error(`seeding failed (HTTP ${response.status}): ${response.body.slice(0, 2000)}`);
  }
  return data;
}

/** Retailers with POS tokens, customers, products and a promotion for all of them, made through the ADMIN API. */
export async function seed(service: ServiceProcess, counts = { retailers: 1, customers: 3, products: 2 }): Promise<Seed> {
  const retailers: Seed['retailers'] = [];
  for (let i = 0; i < counts.retailers; i++) {
    const data = await must<{ createRetailer: { authToken: string; retailer: { id: string } } }>(
      service,
      'mutation($input: CreateRetailerInput!) { createRetailer(input: $input) { authToken retailer { id } } }',
      { input: { name: `Hostile Retailer ${i}`, region: 'north', timezone: 'UTC' } },
    );
    retailers.push({ id: data.createRetailer.retailer.id, token: data.createRetailer.authToken });
  }
  const customerIds: string[] = [];
  for (let i = 0; i < counts.customers; i++) {
    const data = await must<{ createCustomer: { id: string } }>(
      service,
      'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }',
      { input: { firstName: `First${i}`, lastName: `Last${i}` } },
    );
    customerIds.push(data.createCustomer.id);
  }
  const productIds: string[] = [];
  let promotionId = '';
  for (let i = 0; i < counts.products; i++) {
    const product = await must<{ createProduct: { id: string } }>(
      service,
      'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      { input: { name: `Hostile Product ${i}`, priceCents: 250 + i } },
    );
    productIds.push(product.createProduct.id);
    const promotion = await must<{ createPromotion: { id: string } }>(
      service,
      'mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id } }',
      { input: { productId: product.createProduct.id, startDate: '2000-01-01', endDate: '2999-12-31', awardRate: '1.5' } },
    );
    promotionId ||= promotion.createPromotion.id;
  }
  return { retailers, customerIds, productIds, promotionId };
}

export const RECORD_PURCHASE = `mutation($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) { replayed pointsAwarded purchase { id retailerId transactionId } }
}`;

/** A purchase that breaks no rule: recorded once, under a transactionId no other request uses. */
export function validPurchase(seedData: Seed, n = 0): Record<string, unknown> {
  return {
    transactionId: `ok-${randomUUID()}`,
    customerId: seedData.customerIds[n % seedData.customerIds.length],
    productId: seedData.productIds[n % seedData.productIds.length],
    quantity: 1 + (n % 5),
  };
}

export async function purchaseCount(service: ServiceProcess): Promise<number> {
  const { rows } = await service.sql.query<{ n: string }>('select count(*)::text as n from purchases');
  return Number(rows[0].n);
}
