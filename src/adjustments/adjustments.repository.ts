import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { SQL_POOL } from '../database/database.module';
import { PointsAdjustmentModel } from './models/points-adjustment.model';

export interface AdjustmentToRecord {
  /** The new adjustment's id; the key may already hold another (replay or conflict). */
  id: string;
  idempotencyKey: string;
  customerId: string;
  points: bigint;
  reason: string;
  actor: string;
  payloadHash: Buffer;
}

/** What the key held after the call: this request's adjustment, an earlier one, or nothing written. */
export type AdjustOutcome =
  | { outcome: 'recorded' | 'replayed' | 'conflict'; adjustment: PointsAdjustmentModel; customerBalance: bigint }
  | { outcome: 'insufficient'; customerBalance: bigint }
  | { outcome: 'customer_not_found' };

/**
 * The columns adjust_points() returns. A refusal fills only the outcome (and the balance, when insufficient); the
 * other columns are read only for the outcomes that return an adjustment.
 */
interface Row {
  outcome: string;
  id: string;
  idempotency_key: string;
  customer_id: string;
  points: string;
  reason: string;
  actor: string;
  created_at: Date;
  customer_balance: string;
}

/**
 * Adjustments: one statement each. adjust_points() (migrations/0010_points_lifecycle.sql) takes the customer's
 * lock and decides, on what committed before, whether a debit fits the balance and whether the key is free.
 */
@Injectable()
export class AdjustmentsRepository {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  async adjust(a: AdjustmentToRecord): Promise<AdjustOutcome> {
    const { rows } = await this.pool.query<Row>({
      name: 'adjust_points',
      text: `select outcome, id, idempotency_key, customer_id, points::text, reason, actor, created_at,
                    customer_balance::text
               from adjust_points($1::uuid, $2::text, $3::uuid, $4::bigint, $5::text, $6::text, $7::bytea)`,
      values: [a.id, a.idempotencyKey, a.customerId, a.points.toString(), a.reason, a.actor, a.payloadHash],
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
        return { outcome: row.outcome, adjustment: toAdjustment(row), customerBalance: BigInt(row.customer_balance) };
      default:
        throw new Error(`adjust_points answered an unknown outcome: ${row.outcome}`);
    }
  }
}

function toAdjustment(row: Row): PointsAdjustmentModel {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    customerId: row.customer_id,
    points: BigInt(row.points),
    reason: row.reason,
    actor: row.actor,
    createdAt: row.created_at,
  };
}
