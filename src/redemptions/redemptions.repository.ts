import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { ConcurrencyLimit } from '../common/batching/concurrency-limit';
import { ItemResult, MicroBatcher } from '../common/batching/micro-batcher';
import { APP_CONFIG, AppConfig } from '../config/config';
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
 * The columns the functions return (redeem_points_batch() adds its item number). A refusal fills only the outcome
 * (and the balance, when insufficient); the other columns are read only for the outcomes that return a redemption.
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
 * The redemption path: concurrent redemptions share one statement and one database transaction.
 * redeem_points_batch() (migrations/0011_redemption_batches.sql) takes the locks of all the batch's customers and
 * answers each item exactly as redeem_points() would have, had the items come one after another in item order.
 */
export const REDEEM_POINTS_BATCH_SQL = `select item, ${COLUMNS}
  from redeem_points_batch($1::uuid[], $2::text[], $3::uuid[], $4::bigint[], $5::text[], $6::text[], $7::bytea[])`;

/**
 * Redemptions and their cancellations. Each database call is one statement that takes the customers' locks and
 * decides, on what committed before, whether to write the rows and their ledger transactions, so concurrent
 * calls never overdraw or cancel twice.
 */
@Injectable()
export class RedemptionsRepository {
  private readonly batcher: MicroBatcher<RedemptionToRecord, RedeemOutcome>;
  /** Batches and their retries alike: redemptions never hold more than REDEMPTION_CONCURRENCY connections. */
  private readonly connections: ConcurrencyLimit;

  constructor(
    @Inject(SQL_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.connections = new ConcurrencyLimit(config.redemptionConcurrency);
    this.batcher = new MicroBatcher((items) => this.redeemIsolated(items), {
      maxBatch: config.purchaseBatchSize,
      maxInFlight: config.redemptionConcurrency,
    });
  }

  /** One redemption; concurrent calls share database transactions but never each other's errors. */
  redeem(r: RedemptionToRecord): Promise<RedeemOutcome> {
    return this.batcher.submit(r);
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

  /**
   * A batch that fails as a whole (a bug, a deadlock, a lost connection, a key taken by a concurrent batch) is
   * retried one redemption at a time, so that one bad redemption fails alone and the others are still answered.
   * The retries queue for the same connections as the batches, rather than taking the whole pool at once.
   */
  private async redeemIsolated(items: RedemptionToRecord[]): Promise<Array<ItemResult<RedeemOutcome>>> {
    try {
      return await this.redeemBatch(items);
    } catch (error) {
      if (items.length === 1) return [{ ok: false, error }];
      return Promise.all(
        items.map((item) =>
          this.redeemBatch([item]).then(
            ([result]) => result,
            (e: unknown) => ({ ok: false as const, error: e }),
          ),
        ),
      );
    }
  }

  private async redeemBatch(items: RedemptionToRecord[]): Promise<Array<ItemResult<RedeemOutcome>>> {
    const { rows } = await this.connections.run(() =>
      this.pool.query<Row & { item: number }>({
        name: 'redeem_points_batch',
        text: REDEEM_POINTS_BATCH_SQL,
        values: redeemPointsBatchValues(items),
      }),
    );
    // Each answer goes to its own caller: an answer out of place would be another customer's redemption.
    if (rows.some((row, at) => row.item !== at + 1)) throw new Error('redeem_points_batch answered out of item order');
    return rows.map((row): ItemResult<RedeemOutcome> => {
      try {
        return { ok: true, value: toRedeemOutcome(row) };
      } catch (error) {
        return { ok: false, error };
      }
    });
  }
}

/** The arguments of REDEEM_POINTS_BATCH_SQL for a batch: item n of every array is redemption n. */
export function redeemPointsBatchValues(items: RedemptionToRecord[]): unknown[] {
  return [
    items.map((r) => r.id),
    items.map((r) => r.idempotencyKey),
    items.map((r) => r.customerId),
    items.map((r) => r.points.toString()),
    items.map((r) => r.rewardReference),
    items.map((r) => r.actor),
    items.map((r) => r.payloadHash),
  ];
}

function toRedeemOutcome(row: Row): RedeemOutcome {
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
      throw new Error(`redeem_points_batch answered an unknown outcome: ${row.outcome}`);
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
