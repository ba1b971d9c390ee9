import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Fixtures } from '../support/fixtures';
import { ADMIN_TOKEN, GraphqlResponse, TestApp } from '../support/test-app';

/** Helpers shared by the lifecycle tests (redemptions, cancellations, adjustments); not a test file itself. */

/** The program accounts of migrations/0010_points_lifecycle.sql, one per kind of movement. */
export const PROGRAM = {
  redemptions: '00000000-0000-0000-0000-00000000a003',
  cancellations: '00000000-0000-0000-0000-00000000a004',
  adjustments: '00000000-0000-0000-0000-00000000a005',
} as const;

/** An idempotency key no other test uses. */
export function key(prefix = 'key'): string {
  return `${prefix}-${randomUUID()}`;
}

export const REDEMPTION_FIELDS = 'id idempotencyKey customerId points rewardReference status redeemedAt cancelledAt actor';
export const ADJUSTMENT_FIELDS = 'id idempotencyKey customerId points reason actor createdAt';

export const REDEEM_POINTS = `mutation($input: RedeemPointsInput!) {
  redeemPoints(input: $input) { customerBalance replayed redemption { ${REDEMPTION_FIELDS} } }
}`;
export const CANCEL_REDEMPTION = `mutation($id: ID!) {
  cancelRedemption(id: $id) { customerBalance replayed redemption { ${REDEMPTION_FIELDS} } }
}`;
export const ADJUST_POINTS = `mutation($input: AdjustPointsInput!) {
  adjustPoints(input: $input) { customerBalance replayed adjustment { ${ADJUSTMENT_FIELDS} } }
}`;

export interface RedemptionData {
  id: string;
  idempotencyKey: string;
  customerId: string;
  points: string;
  rewardReference: string;
  status: 'COMPLETED' | 'CANCELLED';
  redeemedAt: string;
  cancelledAt: string | null;
  actor: string;
}

export interface RedemptionResultData {
  redemption: RedemptionData;
  customerBalance: string;
  replayed: boolean;
}

export interface AdjustmentResultData {
  adjustment: {
    id: string;
    idempotencyKey: string;
    customerId: string;
    points: string;
    reason: string;
    actor: string;
    createdAt: string;
  };
  customerBalance: string;
  replayed: boolean;
}

export interface RedeemInput {
  idempotencyKey: string;
  customerId: string;
  points: string;
  rewardReference: string;
}

export interface AdjustInput {
  idempotencyKey: string;
  customerId: string;
  points: string;
  reason: string;
}

export function redeem(t: TestApp, token: string | null, input: RedeemInput | Record<string, unknown>) {
  return t.gql<{ redeemPoints: RedemptionResultData }>(token, REDEEM_POINTS, { input });
}

export function cancel(t: TestApp, token: string | null, id: string) {
  return t.gql<{ cancelRedemption: RedemptionResultData }>(token, CANCEL_REDEMPTION, { id });
}

export function adjust(t: TestApp, token: string | null, input: AdjustInput | Record<string, unknown>) {
  return t.gql<{ adjustPoints: AdjustmentResultData }>(token, ADJUST_POINTS, { input });
}

/** The data of a call that must have succeeded, failing loudly with its errors otherwise. */
export function ok<T>(r: GraphqlResponse<T>): T {
  if (r.errors?.length || !r.data) throw new Error(`call failed: ${JSON.stringify(r.errors)}`);
  return r.data;
}

/** Gives a customer points by an ADMIN credit adjustment; returns the balance after it. */
export async function credit(t: TestApp, customerId: string, points: bigint): Promise<bigint> {
  const data = ok(await adjust(t, ADMIN_TOKEN, { idempotencyKey: key('credit'), customerId, points: points.toString(), reason: 'Test credit' }));
  return BigInt(data.adjustPoints.customerBalance);
}

/** A customer's balance as the database holds it (the sum of its bucket rows). */
export async function balanceOf(t: TestApp, accountId: string): Promise<bigint> {
  const { rows } = await t.sql.query<{ s: string }>(
    'select coalesce(sum(balance), 0)::text as s from account_balances where account_id = $1',
    [accountId],
  );
  return BigInt(rows[0].s);
}

export interface LedgerTransaction {
  key: string;
  kind: string;
  redemptionId: string | null;
  adjustmentId: string | null;
  /** Account id -> amount, each entry of the transaction. */
  entries: Record<string, string>;
  entryCount: number;
}

/** The ledger transactions that reference a redemption (its own and its cancellation's) or an adjustment. */
export async function ledgerOf(t: TestApp, ref: { redemptionId?: string; adjustmentId?: string }): Promise<LedgerTransaction[]> {
  const { rows } = await t.sql.query<{
    key: string;
    kind: string;
    redemption_id: string | null;
    adjustment_id: string | null;
    entries: Array<{ account_id: string; amount: string }>;
  }>(
    `select lt.key, lt.kind, lt.redemption_id, lt.adjustment_id,
            (select json_agg(json_build_object('account_id', e.account_id, 'amount', e.amount::text) order by e.id)
               from ledger_entries e where e.transaction_id = lt.id) as entries
       from ledger_transactions lt
      where lt.redemption_id = $1 or lt.adjustment_id = $2
      order by lt.recorded_at, lt.kind desc`,
    [ref.redemptionId ?? null, ref.adjustmentId ?? null],
  );
  return rows.map((row) => ({
    key: row.key,
    kind: row.kind,
    redemptionId: row.redemption_id,
    adjustmentId: row.adjustment_id,
    entries: Object.fromEntries(row.entries.map((e) => [e.account_id, e.amount])),
    entryCount: row.entries.length,
  }));
}

export interface LifecycleCounts {
  redemptions: number;
  cancellations: number;
  adjustments: number;
  transactions: number;
  entries: number;
  /** The sum of every account's balance: zero while every transaction balances. */
  balanceTotal: bigint;
}

/** The one transaction a movement of `points` must have written: the customer's entry and its program account's. */
export function expectedTransaction(
  kind: 'redemption' | 'cancellation' | 'adjustment',
  rowId: string,
  customerId: string,
  customerAmount: bigint,
): LedgerTransaction {
  const program = { redemption: PROGRAM.redemptions, cancellation: PROGRAM.cancellations, adjustment: PROGRAM.adjustments }[kind];
  return {
    key: `${kind}:${rowId}`,
    kind,
    redemptionId: kind === 'adjustment' ? null : rowId,
    adjustmentId: kind === 'adjustment' ? rowId : null,
    entries: { [customerId]: customerAmount.toString(), [program]: (-customerAmount).toString() },
    entryCount: 2,
  };
}

/** A new customer holding `points`, given by an ADMIN credit (none when 0). */
export async function customerWith(t: TestApp, points: bigint): Promise<string> {
  const customerId = await new Fixtures(t).customer();
  if (points > 0n && (await credit(t, customerId, points)) !== points) throw new Error('credit did not land');
  return customerId;
}

/** A redemption request under a fresh key. */
export function redeemInput(customerId: string, points: bigint, rewardReference = 'MUG-BLUE'): RedeemInput {
  return { idempotencyKey: key('redeem'), customerId, points: points.toString(), rewardReference };
}

/** Rows and ledger totals that a refused or replayed call must leave exactly as they were. */
export async function lifecycleCounts(t: TestApp): Promise<LifecycleCounts> {
  const { rows } = await t.sql.query<Record<keyof LifecycleCounts, string>>(
    `select (select count(*) from redemptions)::text as redemptions,
            (select count(*) from redemption_cancellations)::text as cancellations,
            (select count(*) from points_adjustments)::text as adjustments,
            (select count(*) from ledger_transactions)::text as transactions,
            (select count(*) from ledger_entries)::text as entries,
            (select coalesce(sum(balance), 0) from account_balances)::text as "balanceTotal"`,
  );
  const row = rows[0];
  return {
    redemptions: Number(row.redemptions),
    cancellations: Number(row.cancellations),
    adjustments: Number(row.adjustments),
    transactions: Number(row.transactions),
    entries: Number(row.entries),
    balanceTotal: BigInt(row.balanceTotal),
  };
}

/**
 * A REWARDS token made as ADMIN would make it, written straight into api_tokens as the schema's owner: a `rwd_`
 * token whose sha256 digest is stored. Tests that use it need the authenticator to look up `rwd_` tokens.
 */
export async function rewardsToken(t: TestApp, name: string): Promise<string> {
  const token = `rwd_${randomBytes(32).toString('base64url')}`;
  await t.sql.query("insert into api_tokens (role, name, token_hash) values ('REWARDS', $1, $2)", [
    name,
    createHash('sha256').update(token, 'utf8').digest(),
  ]);
  return token;
}
