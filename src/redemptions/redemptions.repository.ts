import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { SQL_POOL } from '../database/database.module';
import { RedemptionModel } from './models/redemption.model';
import { redemptionStatus } from './redemption-status';

export interface RedemptionToRecord {
  /** The new redemption's id; the key may already hold another (replay or conflict). */
  id: string;
  idempotencyKey: string;
  customerId: string;
  points: bigint;
  rewardReference: string;
  actor: string;
  payloadHash: Buffer;
}

/** What the key held after the call: this request's redemption, an earlier one, or nothing written. */
export type RedeemOutcome =
  | { outcome: 'recorded' | 'replayed' | 'conflict'; redemption: RedemptionModel; customerBalance: bigint }
  | { outcome: 'insufficient'; customerBalance: bigint }
  | { outcome: 'customer_not_found' };

export type CancelOutcome =
  | { outcome: 'recorded' | 'replayed'; redemption: RedemptionModel; customerBalance: bigint }
  | { outcome: 'not_found' };

/**
 * The columns both functions return. A refusal fills only the outcome (and the balance, when insufficient); the
 * other columns are read only for the outcomes that return a redemption.
 */
interface Row {
  outcome: string;
  id: string;
  idempotency_key: string;
  customer_id: string;
  points: string;
  reward_reference: string;
  actor: string;
  redeemed_at: Date;
  cancelled_at: Date | null;
  customer_balance: string;
}

const COLUMNS = `outcome, id, idempotency_key, customer_id, points::text, reward_reference, actor, redeemed_at,
  cancelled_at, customer_balance::text`;

/**
 * Redemptions and their cancellations. Each call is one statement: redeem_points() and cancel_redemption()
 * (migrations/0010_points_lifecycle.sql) take the customer's lock and decide, on what committed before, whether
 * to write the row and its ledger transaction, so concurrent calls never overdraw or cancel twice.
 */
@Injectable()
export class RedemptionsRepository {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  async redeem(r: RedemptionToRecord): Promise<RedeemOutcome> {
    const { rows } = await this.pool.query<Row>({
      name: 'redeem_points',
      text: `select ${COLUMNS} from redeem_points($1::uuid, $2::text, $3::uuid, $4::bigint, $5::text, $6::text, $7::bytea)`,
      values: [r.id, r.idempotencyKey, r.customerId, r.points.toString(), r.rewardReference, r.actor, r.payloadHash],
    });
    const row = rows[0];
    switch (row.outcome) {
      case 'customer_not_found':
        return { outcome: 'customer_not_found' };
      case 'insufficient':
        return { outcome: 'insufficient', customerBalance: BigInt(row.customer_balance) };
      case 'recorded':
      case 'replayed':
      case 'conflict':
        return { outcome: row.outcome, redemption: toRedemption(row), customerBalance: BigInt(row.customer_balance) };
      default:
        throw new Error(`redeem_points answered an unknown outcome: ${row.outcome}`);
    }
  }

  async cancel(redemptionId: string, actor: string): Promise<CancelOutcome> {
    const { rows } = await this.pool.query<Row>({
      name: 'cancel_redemption',
      text: `select ${COLUMNS} from cancel_redemption($1::uuid, $2::text)`,
      values: [redemptionId, actor],
    });
    const row = rows[0];
    switch (row.outcome) {
      case 'not_found':
        return { outcome: 'not_found' };
      case 'recorded':
      case 'replayed':
        return { outcome: row.outcome, redemption: toRedemption(row), customerBalance: BigInt(row.customer_balance) };
      default:
        throw new Error(`cancel_redemption answered an unknown outcome: ${row.outcome}`);
    }
  }
}

function toRedemption(row: Row): RedemptionModel {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    customerId: row.customer_id,
    points: BigInt(row.points),
    rewardReference: row.reward_reference,
    status: redemptionStatus(row.cancelled_at),
    redeemedAt: row.redeemed_at,
    cancelledAt: row.cancelled_at,
    actor: row.actor,
  };
}
