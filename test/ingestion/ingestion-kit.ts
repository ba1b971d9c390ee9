import { GraphqlResponse, TestApp } from '../support/test-app';

export const PURCHASE_FIELDS = `id transactionId retailerId customerId productId quantity unitPriceCents totalPriceCents
  promotionId awardRate pointsEarned purchasedAt recordedAt`;

export const RECORD_PURCHASES = `mutation($inputs: [RecordPurchaseInput!]!) {
  recordPurchases(inputs: $inputs) {
    result { pointsAwarded customerBalance replayed purchase { ${PURCHASE_FIELDS} } }
    error { code message }
  }
}`;

export const SUBMIT_PURCHASE = `mutation($input: RecordPurchaseInput!) {
  submitPurchase(input: $input) { transactionId status errorCode purchase { ${PURCHASE_FIELDS} } }
}`;

export const PURCHASE_SUBMISSION = `query($transactionId: String!) {
  purchaseSubmission(transactionId: $transactionId) { transactionId status errorCode purchase { ${PURCHASE_FIELDS} } }
}`;

export interface PurchaseFields {
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
}

export interface Answer {
  result: { pointsAwarded: string; customerBalance: string; replayed: boolean; purchase: PurchaseFields } | null;
  error: { code: string; message: string } | null;
}

export interface Submission {
  transactionId: string;
  status: string;
  errorCode: string | null;
  purchase: PurchaseFields | null;
}

export function recordPurchases(
  t: TestApp,
  token: string | null,
  inputs: Array<Record<string, unknown>>,
): Promise<GraphqlResponse<{ recordPurchases: Answer[] }>> {
  return t.gql<{ recordPurchases: Answer[] }>(token, RECORD_PURCHASES, { inputs });
}

/** Purchases and the sum of their points recorded for a retailer, straight from the tables. */
export async function recordedFor(t: TestApp, retailerId: string): Promise<{ count: number; points: bigint }> {
  const { rows } = await t.sql.query<{ n: string; points: string }>(
    'select count(*)::text as n, coalesce(sum(points_earned), 0)::text as points from purchases where retailer_id = $1',
    [retailerId],
  );
  return { count: Number(rows[0].n), points: BigInt(rows[0].points) };
}

/** Each customer's balance (from the balances table) and the points of the purchases credited to it. */
export async function balancesAndCredits(t: TestApp, customerIds: string[]): Promise<Array<{ balance: bigint; credits: bigint }>> {
  const { rows } = await t.sql.query<{ id: string; balance: string; credits: string }>(
    `select c.id,
            (select coalesce(sum(b.balance), 0) from account_balances b where b.account_id = c.id)::text as balance,
            (select coalesce(sum(p.points_earned), 0) from purchases p where p.customer_id = c.id)::text as credits
       from unnest($1::uuid[]) as c(id)`,
    [customerIds],
  );
  const byId = new Map(rows.map((r) => [r.id, { balance: BigInt(r.balance), credits: BigInt(r.credits) }]));
  return customerIds.map((id) => byId.get(id) ?? { balance: -1n, credits: -1n });
}
