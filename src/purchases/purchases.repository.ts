import { Inject, Injectable, Optional } from '@nestjs/common';
import { Pool } from 'pg';
import { ConcurrencyLimit } from '../common/batching/concurrency-limit';
import { ItemResult, MicroBatcher } from '../common/batching/micro-batcher';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { APP_CONFIG, AppConfig } from '../config/config';
import { binaryArray } from '../database/binary-array';
import { SQL_POOL } from '../database/database.module';
import { Posting } from '../ledger/ledger';
import { awardRateFromDatabase, formatAwardRate } from '../promotions/award-rate';
import { PurchaseModel } from './models/purchase.model';
import { PurchaseMetrics } from './purchase.metrics';
import { balancesInOrder, statementsOf } from './purchase-statements';

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
  /** The highest promotion seq the catalog had loaded when the purchase was priced. */
  catalogSeq: bigint;
}

/**
 * Purchases per record_purchases() statement of a recordPurchases call: the database's rate flattens out from
 * about 100 per call and is at its best around 500 (issue 12's measurements).
 */
export const RECORD_STATEMENT_MAX = 500;

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

type BatchRow = PurchaseRow & { item: number; outcome: RecordOutcome | 'customer_not_found'; customer_balance: string };

const PURCHASE_COLUMNS = `id, retailer_id, transaction_id, customer_id, product_id, quantity, unit_price_cents,
  total_price_cents::text, promotion_id, award_rate::text, points_earned::text, purchased_at, recorded_at`;

/**
 * The purchase hot path: one prepared statement, one round trip, one database transaction for a whole batch of
 * concurrent purchases. Everything it writes (purchases, ledger transactions, entries, balances) happens inside
 * record_purchases(), whose current definition is in docs/schema.sql.
 */
export const RECORD_PURCHASES_SQL = `select item, outcome, customer_balance::text, ${PURCHASE_COLUMNS}
  from record_purchases($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::int[], $7::int[],
                        $8::timestamptz[], $9::bytea[], $10::uuid[], $11::numeric[], $12::bigint[], $13::text[],
                        $14::int[], $15::uuid[], $16::bigint[], $17::bigint[])`;

@Injectable()
export class PurchasesRepository {
  private readonly batcher: MicroBatcher<PurchaseToRecord, RecordedPurchase>;
  /** Batches and their retries alike: the purchase path never holds more than PURCHASE_CONCURRENCY connections. */
  private readonly connections: ConcurrencyLimit;
  private readonly metrics: PurchaseMetrics | undefined;

  constructor(
    @Inject(SQL_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) config: AppConfig,
    // Absent only when a test builds the repository by hand.
    @Optional() metrics?: PurchaseMetrics,
  ) {
    this.metrics = metrics;
    this.connections = new ConcurrencyLimit(config.purchaseConcurrency);
    this.batcher = new MicroBatcher((items) => this.recordIsolated(items), {
      maxBatch: config.purchaseBatchSize,
      maxInFlight: config.purchaseConcurrency,
      onBatch: metrics?.batchSent,
    });
    metrics?.watch(this.batcher);
  }

  /** Records one purchase; concurrent calls share database transactions but never each other's errors. */
  record(purchase: PurchaseToRecord): Promise<RecordedPurchase> {
    return this.batcher.submit(purchase);
  }

  /**
   * Records one recordPurchases call's purchases in input order, answering one result per purchase: statements of
   * at most RECORD_STATEMENT_MAX (statementsOf) run one after the other, each on one of the PURCHASE_CONCURRENCY
   * connections that single purchases' batches share, but never through the micro-batcher, whose batches could
   * overtake one another and so reorder two items with one key.
   */
  async recordInOrder(purchases: PurchaseToRecord[]): Promise<Array<ItemResult<RecordedPurchase>>> {
    const results: Array<ItemResult<RecordedPurchase>> = [];
    for (const statement of statementsOf(purchases, RECORD_STATEMENT_MAX)) {
      this.metrics?.batchSent(statement.length);
      results.push(...withBalancesInOrder(await this.recordStatementIsolated(statement)));
    }
    return results;
  }

  async findByKey(retailerId: string, transactionId: string): Promise<PurchaseModel | null> {
    const { rows } = await this.pool.query<PurchaseRow>({
      name: 'purchase_by_key',
      text: `select ${PURCHASE_COLUMNS} from purchases where retailer_id = $1 and transaction_id = $2`,
      values: [retailerId, transactionId],
    });
    return rows[0] ? toPurchase(rows[0]) : null;
  }

  /**
   * A batch that fails as a whole (a bug, a deadlock, a lost connection) is retried one purchase at a time, so
   * that one bad purchase fails alone and the others are still recorded. The retries queue for the same
   * PURCHASE_CONCURRENCY connections as the batches, rather than taking the whole pool at once.
   */
  private async recordIsolated(items: PurchaseToRecord[]): Promise<Array<ItemResult<RecordedPurchase>>> {
    try {
      return await this.recordBatch(items);
    } catch (error) {
      if (items.length === 1) return [{ ok: false, error }];
      return Promise.all(
        items.map((item) =>
          this.recordBatch([item]).then(
            ([result]) => result,
            (e: unknown) => ({ ok: false as const, error: e }),
          ),
        ),
      );
    }
  }

  /** As recordIsolated, but the retries run one by one in order: two items may share a key. */
  private async recordStatementIsolated(items: PurchaseToRecord[]): Promise<Array<ItemResult<RecordedPurchase>>> {
    try {
      return await this.recordBatch(items);
    } catch (error) {
      if (items.length === 1) return [{ ok: false, error }];
      const results: Array<ItemResult<RecordedPurchase>> = [];
      for (const item of items) {
        results.push(
          await this.recordBatch([item]).then(
            ([result]) => result,
            (e: unknown) => ({ ok: false as const, error: e }),
          ),
        );
      }
      return results;
    }
  }

  private async recordBatch(items: PurchaseToRecord[]): Promise<Array<ItemResult<RecordedPurchase>>> {
    // Encoded before taking a connection: an element the encoder refuses fails the batch without holding one.
    const values = recordPurchasesValues(items);
    const { rows } = await this.connections.run(() =>
      this.pool.query<BatchRow>({ name: 'record_purchases', text: RECORD_PURCHASES_SQL, values }),
    );
    return rows.map((row): ItemResult<RecordedPurchase> => {
      if (row.outcome === 'customer_not_found') {
        return { ok: false, error: new DomainError(ErrorCode.CUSTOMER_NOT_FOUND, 'Customer not found') };
      }
      return {
        ok: true,
        value: { outcome: row.outcome, purchase: toPurchase(row), customerBalance: BigInt(row.customer_balance) },
      };
    });
  }
}

/** One statement's results with each replay's balance as the one-by-one order would give it (balancesInOrder). */
function withBalancesInOrder(results: Array<ItemResult<RecordedPurchase>>): Array<ItemResult<RecordedPurchase>> {
  const balances = balancesInOrder(
    results.map((r) =>
      r.ok
        ? {
            outcome: r.value.outcome,
            customerId: r.value.purchase.customerId,
            pointsEarned: r.value.purchase.pointsEarned,
            customerBalance: r.value.customerBalance,
          }
        : { outcome: 'customer_not_found' as const, customerId: '', pointsEarned: 0n, customerBalance: 0n },
    ),
  );
  return results.map((r, i) => (r.ok ? { ok: true, value: { ...r.value, customerBalance: balances[i] } } : r));
}

/**
 * The arguments of RECORD_PURCHASES_SQL for a batch: item n of every array is purchase n. Arrays go in binary form
 * (binaryArray), which the server reads without parsing text, except purchasedAt (timestamptz, ISO text with
 * microseconds) and awardRate (numeric, exact decimal text), which stay text. Throws, before any query, for an
 * element its SQL type would refuse (binaryArray).
 */
export function recordPurchasesValues(items: PurchaseToRecord[]): unknown[] {
  const postings = items.flatMap((p, index) => p.postings.map((posting) => ({ item: index + 1, ...posting })));
  return [
    binaryArray('uuid', items.map((p) => p.id)),
    binaryArray('uuid', items.map((p) => p.retailerId)),
    binaryArray('text', items.map((p) => p.transactionId)),
    binaryArray('uuid', items.map((p) => p.customerId)),
    binaryArray('uuid', items.map((p) => p.productId)),
    binaryArray('int4', items.map((p) => p.quantity)),
    binaryArray('int4', items.map((p) => p.unitPriceCents)),
    items.map((p) => p.purchasedAt),
    binaryArray('bytea', items.map((p) => p.payloadHash)),
    binaryArray('uuid', items.map((p) => p.promotionId)),
    items.map((p) => p.awardRate),
    binaryArray('int8', items.map((p) => p.points)),
    binaryArray('text', items.map((p) => p.ledgerKey)),
    binaryArray('int4', postings.map((p) => p.item)),
    binaryArray('uuid', postings.map((p) => p.accountId)),
    binaryArray('int8', postings.map((p) => p.amount)),
    binaryArray('int8', items.map((p) => p.catalogSeq)),
  ];
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
