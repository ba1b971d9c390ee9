import { Inject, Injectable } from '@nestjs/common';
import { DatabaseError, Pool } from 'pg';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { SQL_POOL } from '../database/database.module';
import { Posting } from '../ledger/ledger';
import { awardRateFromDatabase, formatAwardRate } from '../promotions/award-rate';
import { PurchaseModel } from './models/purchase.model';

export interface PurchaseToRecord {
  id: string;
  retailerId: string;
  transactionId: string;
  customerId: string;
  productId: string;
  quantity: number;
  unitPriceCents: number;
  /** ISO text with microseconds, so that the stored instant is exactly the one fingerprinted. */
  purchasedAt: string;
  payloadHash: Buffer;
  promotionId: string | null;
  /** Exact decimal text of the applied rate. */
  awardRate: string | null;
  points: bigint;
  ledgerKey: string;
  postings: Posting[];
}

export type RecordOutcome = 'recorded' | 'replayed' | 'conflict';

export interface RecordedPurchase {
  outcome: RecordOutcome;
  purchase: PurchaseModel;
  customerBalance: bigint;
}

interface PurchaseRow {
  id: string;
  retailer_id: string;
  transaction_id: string;
  customer_id: string;
  product_id: string;
  quantity: number;
  unit_price_cents: number;
  total_price_cents: string;
  promotion_id: string | null;
  award_rate: string | null;
  points_earned: string;
  purchased_at: Date;
  recorded_at: Date;
}

const PURCHASE_COLUMNS = `id, retailer_id, transaction_id, customer_id, product_id, quantity, unit_price_cents,
  total_price_cents::text, promotion_id, award_rate::text, points_earned::text, purchased_at, recorded_at`;

/**
 * The purchase hot path: one prepared statement, one round trip, one database transaction. Everything it
 * writes (purchase, ledger transaction, entries, balances) happens inside record_purchase() in migrations/.
 */
const RECORD_PURCHASE_SQL = `select outcome, customer_balance::text, ${PURCHASE_COLUMNS}
  from record_purchase($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::uuid[], $15::bigint[])`;

/** Foreign keys whose violation means the client named something that does not exist. */
const MISSING_REFERENCE: Record<string, DomainError> = {
  purchases_customer_id_fkey: new DomainError(ErrorCode.CUSTOMER_NOT_FOUND, 'Customer not found'),
  purchases_product_id_fkey: new DomainError(ErrorCode.PRODUCT_NOT_FOUND, 'Product not found'),
};

@Injectable()
export class PurchasesRepository {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  async record(p: PurchaseToRecord): Promise<RecordedPurchase> {
    try {
      const { rows } = await this.pool.query<PurchaseRow & { outcome: RecordOutcome; customer_balance: string }>({
        name: 'record_purchase',
        text: RECORD_PURCHASE_SQL,
        values: [
          p.id,
          p.retailerId,
          p.transactionId,
          p.customerId,
          p.productId,
          p.quantity,
          p.unitPriceCents,
          p.purchasedAt,
          p.payloadHash,
          p.promotionId,
          p.awardRate,
          p.points.toString(),
          p.ledgerKey,
          p.postings.map((x) => x.accountId),
          p.postings.map((x) => x.amount.toString()),
        ],
      });
      const row = rows[0];
      return { outcome: row.outcome, purchase: toPurchase(row), customerBalance: BigInt(row.customer_balance) };
    } catch (error) {
      if (error instanceof DatabaseError && error.code === '23503' && error.constraint) {
        const missing = MISSING_REFERENCE[error.constraint];
        if (missing) throw new DomainError(missing.code, missing.message);
      }
      throw error;
    }
  }

  async findByKey(retailerId: string, transactionId: string): Promise<PurchaseModel | null> {
    const { rows } = await this.pool.query<PurchaseRow>({
      name: 'purchase_by_key',
      text: `select ${PURCHASE_COLUMNS} from purchases where retailer_id = $1 and transaction_id = $2`,
      values: [retailerId, transactionId],
    });
    return rows[0] ? toPurchase(rows[0]) : null;
  }
}

function toPurchase(row: PurchaseRow): PurchaseModel {
  return {
    id: row.id,
    transactionId: row.transaction_id,
    retailerId: row.retailer_id,
    customerId: row.customer_id,
    productId: row.product_id,
    quantity: row.quantity,
    unitPriceCents: row.unit_price_cents,
    totalPriceCents: BigInt(row.total_price_cents),
    promotionId: row.promotion_id,
    awardRate: row.award_rate === null ? null : formatAwardRate(awardRateFromDatabase(row.award_rate)),
    pointsEarned: BigInt(row.points_earned),
    purchasedAt: row.purchased_at,
    recordedAt: row.recorded_at,
  };
}
