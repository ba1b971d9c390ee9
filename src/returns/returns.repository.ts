import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { SQL_POOL } from '../database/database.module';
import { PurchaseReturnModel } from './models/purchase-return.model';

export interface ReturnToRecord {
  /** The id the return gets if it is recorded (a uuidV7); a replay answers with the original's id instead. */
  id: string;
  retailerId: string;
  transactionId: string;
  purchaseTransactionId: string;
  quantity: number;
  /** ISO text with microseconds, so that the stored instant is exactly the one fingerprinted. */
  returnedAt: string;
  payloadHash: Buffer;
}

/**
 * What record_return() decided, under the customer's lock. A refused return (every outcome but recorded,
 * replayed and conflict) wrote nothing, so its key stays free.
 */
export type ReturnDecision =
  | { outcome: 'recorded' | 'replayed' | 'conflict'; purchaseReturn: PurchaseReturnModel; customerBalance: bigint }
  | { outcome: 'purchase_not_found' }
  | { outcome: 'units_exceeded'; unitsLeft: number }
  | { outcome: 'before_purchase'; purchasedAt: Date };

type Outcome = ReturnDecision['outcome'];

interface ReturnRow {
  outcome: Outcome;
  id: string | null;
  transaction_id: string | null;
  retailer_id: string | null;
  purchase_id: string | null;
  customer_id: string | null;
  /** The return's units; with units_exceeded, the units of the purchase not yet returned. */
  quantity: number | null;
  points_reversed: string | null;
  /** The return's time; with before_purchase, the purchase's purchasedAt. */
  returned_at: Date | null;
  recorded_at: Date | null;
  customer_balance: string | null;
}

const RETURN_COLUMNS = `id, transaction_id, retailer_id, purchase_id, customer_id, quantity, points_reversed::text,
  returned_at, recorded_at`;

/**
 * One statement, one round trip: record_return() (migrations/0010_points_lifecycle.sql) finds the purchase, takes
 * its customer's lock, decides between recorded, replayed, conflict and the refusals on what committed before it,
 * and writes the return with its ledger transaction. Its trigger re-checks the units and the points.
 */
export const RECORD_RETURN_SQL = `select outcome, ${RETURN_COLUMNS}, customer_balance::text
  from record_return($1::uuid, $2::uuid, $3::text, $4::text, $5::int, $6::timestamptz, $7::bytea)`;

@Injectable()
export class ReturnsRepository {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  async record(r: ReturnToRecord): Promise<ReturnDecision> {
    const { rows } = await this.pool.query<ReturnRow>({
      name: 'record_return',
      text: RECORD_RETURN_SQL,
      values: [r.id, r.retailerId, r.transactionId, r.purchaseTransactionId, r.quantity, r.returnedAt, r.payloadHash],
    });
    const row = rows[0];
    if (!row) throw new Error('record_return() answered no row');
    switch (row.outcome) {
      case 'purchase_not_found':
        return { outcome: row.outcome };
      case 'units_exceeded':
        return { outcome: row.outcome, unitsLeft: required(row.quantity, 'quantity') };
      case 'before_purchase':
        return { outcome: row.outcome, purchasedAt: required(row.returned_at, 'returned_at') };
      case 'recorded':
      case 'replayed':
      case 'conflict':
        return {
          outcome: row.outcome,
          purchaseReturn: toPurchaseReturn(row),
          customerBalance: BigInt(required(row.customer_balance, 'customer_balance')),
        };
      default:
        throw new Error(`record_return() answered an unknown outcome: ${String(row.outcome)}`);
    }
  }
}

function toPurchaseReturn(row: ReturnRow): PurchaseReturnModel {
  return {
    id: required(row.id, 'id'),
    transactionId: required(row.transaction_id, 'transaction_id'),
    retailerId: required(row.retailer_id, 'retailer_id'),
    purchaseId: required(row.purchase_id, 'purchase_id'),
    customerId: required(row.customer_id, 'customer_id'),
    quantity: required(row.quantity, 'quantity'),
    pointsReversed: BigInt(required(row.points_reversed, 'points_reversed')),
    returnedAt: required(row.returned_at, 'returned_at'),
    recordedAt: required(row.recorded_at, 'recorded_at'),
  };
}

/** The columns record_return() fills for an outcome; a null there is a bug in the function, not a client's error. */
function required<T>(value: T | null, column: string): T {
  if (value === null) throw new Error(`record_return() answered no ${column}`);
  return value;
}
