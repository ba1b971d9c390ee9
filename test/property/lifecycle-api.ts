import { ADMIN_TOKEN, AUDITOR_TOKEN, GraphqlResponse, TestApp } from '../support/test-app';

/**
 * The lifecycle mutations of the contract (shared/contract/lifecycle.graphql) as the property and race tests
 * call them: every field of each result is selected, so a test can compare a response as a whole. Points travel
 * as decimal strings (BigInt scalar) both ways.
 */

export const RECORD_RETURN = `mutation($input: RecordReturnInput!) {
  recordReturn(input: $input) {
    pointsReversed customerBalance replayed
    return { id transactionId retailerId purchaseId customerId quantity pointsReversed returnedAt recordedAt }
  }
}`;

const REDEMPTION_FIELDS = 'customerBalance replayed redemption { id idempotencyKey customerId points rewardReference status redeemedAt cancelledAt }';
export const REDEEM_POINTS = `mutation($input: RedeemPointsInput!) { redeemPoints(input: $input) { ${REDEMPTION_FIELDS} } }`;
export const CANCEL_REDEMPTION = `mutation($id: ID!) { cancelRedemption(id: $id) { ${REDEMPTION_FIELDS} } }`;

export const ADJUST_POINTS = `mutation($input: AdjustPointsInput!) {
  adjustPoints(input: $input) {
    customerBalance replayed
    adjustment { id idempotencyKey customerId points reason actor createdAt }
  }
}`;

export interface ReturnInput {
  transactionId: string;
  purchaseTransactionId: string;
  quantity: number;
  returnedAt?: string;
}
export interface ReturnResult {
  pointsReversed: string;
  customerBalance: string;
  replayed: boolean;
  return: {
    id: string;
    transactionId: string;
    retailerId: string;
    purchaseId: string;
    customerId: string;
    quantity: number;
    pointsReversed: string;
    returnedAt: string;
    recordedAt: string;
  };
}

export interface RedeemInput {
  idempotencyKey: string;
  customerId: string;
  points: string;
  rewardReference: string;
}
export interface RedemptionResult {
  customerBalance: string;
  replayed: boolean;
  redemption: {
    id: string;
    idempotencyKey: string;
    customerId: string;
    points: string;
    rewardReference: string;
    status: 'COMPLETED' | 'CANCELLED';
    redeemedAt: string;
    cancelledAt: string | null;
  };
}

export interface AdjustInput {
  idempotencyKey: string;
  customerId: string;
  points: string;
  reason: string;
}
export interface AdjustmentResult {
  customerBalance: string;
  replayed: boolean;
  adjustment: {
    id: string;
    idempotencyKey: string;
    customerId: string;
    points: string;
    reason: string;
    actor: string;
    createdAt: string;
  };
}

export function recordReturn(t: TestApp, token: string, input: ReturnInput): Promise<GraphqlResponse<{ recordReturn: ReturnResult }>> {
  return t.gql(token, RECORD_RETURN, { input });
}

export function redeemPoints(t: TestApp, input: RedeemInput, token = ADMIN_TOKEN): Promise<GraphqlResponse<{ redeemPoints: RedemptionResult }>> {
  return t.gql(token, REDEEM_POINTS, { input });
}

export function cancelRedemption(t: TestApp, id: string, token = ADMIN_TOKEN): Promise<GraphqlResponse<{ cancelRedemption: RedemptionResult }>> {
  return t.gql(token, CANCEL_REDEMPTION, { id });
}

export function adjustPoints(t: TestApp, input: AdjustInput, token = ADMIN_TOKEN): Promise<GraphqlResponse<{ adjustPoints: AdjustmentResult }>> {
  return t.gql(token, ADJUST_POINTS, { input });
}

/** The program accounts of the lifecycle, by code: what each kind of movement posts against. */
export const PROGRAM_ACCOUNTS = [
  'program:liability',
  'program:returns',
  'program:redemptions',
  'program:cancellations',
  'program:adjustments',
] as const;
export type ProgramAccount = (typeof PROGRAM_ACCOUNTS)[number];

const TRIAL_BALANCE = `query($first: Int, $after: String) {
  trialBalance(first: $first, after: $after) {
    total
    accounts { edges { node { code balance } } pageInfo { hasNextPage endCursor } }
  }
}`;
interface TrialBalancePage {
  trialBalance: {
    total: string;
    accounts: { edges: Array<{ node: { code: string; balance: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  };
}

/** Every account's balance in the auditors' trial balance now, by code; the total must be zero on every page. */
export async function trialBalance(t: TestApp): Promise<Map<string, bigint>> {
  const balances = new Map<string, bigint>();
  let after: string | null = null;
  for (;;) {
    const r: GraphqlResponse<TrialBalancePage> = await t.gql<TrialBalancePage>(AUDITOR_TOKEN, TRIAL_BALANCE, { first: 500, after });
    expect(r.errors).toBeUndefined();
    const { total, accounts } = r.data!.trialBalance;
    expect(total).toBe('0');
    for (const { node } of accounts.edges) balances.set(node.code, BigInt(node.balance));
    if (!accounts.pageInfo.hasNextPage) return balances;
    after = accounts.pageInfo.endCursor;
  }
}
