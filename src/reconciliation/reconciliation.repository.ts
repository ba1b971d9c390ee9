import { Inject, Injectable } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { SQL_POOL } from '../database/database.module';
import { awardRateFromDatabase } from '../promotions/award-rate';
import { readPromotionVersions, SequencedPromotionVersion } from '../promotions/promotion-versions';
import { CatalogConstraint, CatalogIndex, CatalogTrigger } from './database-guards';
import * as lifecycle from './lifecycle-checks.sql';
import { PurchaseSnapshot, RetailerPlace } from './purchase-rules-check';
import { CheckId, Finding, FindingExample } from './reconciliation-report';
import * as q from './reconciliation.sql';
import { Scope } from './reconciliation.sql';

/** Hash joins over a million rows stay in memory with this; the default (4 MB) would spill them to disk. */
const WORK_MEM = '128MB';
/** Purchases per FETCH of check 5's cursor: memory stays constant whatever the ledger's size. */
export const PURCHASE_PAGE = 10_000;

/**
 * A repeatable-read, read-only view of the database at one instant, on as many connections as asked: every
 * connection imports the first one's snapshot, so checks run in parallel and still see the same commit.
 */
export class ReadSession {
  private readonly clients: PoolClient[] = [];

  constructor(
    private readonly pool: Pool,
    readonly snapshotId: string,
    /** pg_current_snapshot() of that view: the run's watermark. */
    readonly watermark: string,
    readonly lastEntryId: bigint,
    main: PoolClient,
  ) {
    this.clients.push(main);
  }

  get main(): PoolClient {
    return this.clients[0];
  }

  /** Another connection on the same snapshot. */
  async fork(): Promise<PoolClient> {
    const client = await this.pool.connect();
    this.clients.push(client);
    await client.query('begin isolation level repeatable read read only');
    // SET cannot take a parameter; the id is PostgreSQL's own (checked when the session opened).
    await client.query(`set transaction snapshot '${this.snapshotId}'`);
    await client.query(`set local work_mem = '${WORK_MEM}'`);
    return client;
  }

  async close(): Promise<void> {
    // Forks first: the exported snapshot lives as long as the main transaction.
    for (const client of [...this.clients].reverse()) {
      await client.query('rollback').catch(() => undefined);
      client.release();
    }
    this.clients.length = 0;
  }
}

type CountedRows = 'purchases' | 'transactions' | 'accounts' | 'returns' | 'redemptions' | 'cancellations' | 'adjustments';

interface FindingRow {
  kind: string;
  count: string;
  amount: string;
  examples: FindingExample[];
}

/** The checks' reads. Every query runs on a connection of a ReadSession; the SQL is in reconciliation.sql.ts. */
@Injectable()
export class ReconciliationRepository {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  async openSession(): Promise<ReadSession> {
    const main = await this.pool.connect();
    try {
      await main.query('begin isolation level repeatable read read only');
      await main.query(`set local work_mem = '${WORK_MEM}'`);
      // In repeatable read the first query fixes the snapshot; pg_current_snapshot() is then that snapshot.
      const { rows } = await main.query<{ snapshot_id: string; watermark: string; last_entry_id: string }>(
        `select pg_export_snapshot() as snapshot_id, pg_current_snapshot()::text as watermark,
                (select coalesce(max(id), 0) from ledger_entries)::text as last_entry_id`,
      );
      const { snapshot_id: snapshotId, watermark, last_entry_id: lastEntryId } = rows[0];
      if (!/^[0-9A-F-]+$/i.test(snapshotId)) throw new Error(`unexpected snapshot id ${snapshotId}`);
      return new ReadSession(this.pool, snapshotId, watermark, BigInt(lastEntryId), main);
    } catch (error) {
      await main.query('rollback').catch(() => undefined);
      main.release();
      throw error;
    }
  }

  transactionsBalance(db: PoolClient, scope: Scope): Promise<Finding[]> {
    return this.findings(db, 'TRANSACTIONS_BALANCE', q.transactionsBalanceSql(scope), scope, {
      'entries-without-transaction': 'ledger entries reference a ledger transaction that does not exist',
      'too-few-entries': 'a ledger transaction has fewer than two entries',
      unbalanced: "a ledger transaction's entries do not sum to zero",
    });
  }

  balancesMatchEntries(db: PoolClient, scope: Scope): Promise<Finding[]> {
    return this.findings(db, 'BALANCES_MATCH_ENTRIES', q.balancesMatchEntriesSql(scope), scope, {
      'balance-differs-from-entries': "an account's materialized balance differs from the sum of its entries",
    });
  }

  purchasesMatchLedger(db: PoolClient, scope: Scope): Promise<Finding[]> {
    return this.findings(db, 'PURCHASES_MATCH_LEDGER', q.purchasesMatchLedgerSql(scope), scope, {
      'missing-transaction': 'a purchase with points has no ledger transaction',
      'duplicate-transactions': 'a purchase has more than one ledger transaction',
      'unexpected-transaction': 'a purchase without points has a ledger transaction',
      'wrong-credit': "a purchase's ledger transaction credits its customer with other than its points",
      'transaction-without-purchase': 'a ledger transaction names a purchase that does not exist',
    });
  }

  returnsMatchPurchases(db: PoolClient, scope: Scope): Promise<Finding[]> {
    return this.findings(db, 'RETURNS_MATCH_PURCHASES', lifecycle.returnsMatchPurchasesSql(scope), scope, {
      'return-of-unknown-purchase': 'a return names a purchase that does not exist',
      'wrong-retailer-or-customer': "a return's retailer or customer is not its purchase's",
      'returned-before-purchase': 'a return happened before its purchase',
      'broken-sequence': "a return's units returned before are not the sum of its purchase's earlier returns",
      'units-exceeded': "a purchase's returns pass the units it sold",
      'wrong-reversal': "a return's points are not the cumulative formula's step with its purchase's snapshot",
    });
  }

  movementsMatchLedger(db: PoolClient, scope: Scope): Promise<Finding[]> {
    const missing = (what: string) => `${what} has no ledger transaction`;
    const duplicate = (what: string) => `${what} has more than one ledger transaction`;
    return this.findings(db, 'MOVEMENTS_MATCH_LEDGER', lifecycle.movementsMatchLedgerSql(scope), scope, {
      'return-missing-transaction': missing('a return with points'),
      'return-duplicate-transactions': duplicate('a return'),
      'return-unexpected-transaction': 'a return without points has a ledger transaction',
      'return-wrong-debit': "a return's ledger transaction debits its customer by other than its points",
      'redemption-missing-transaction': missing('a redemption'),
      'redemption-duplicate-transactions': duplicate('a redemption'),
      'redemption-wrong-debit': "a redemption's ledger transaction debits its customer by other than its points",
      'cancellation-missing-transaction': missing('a cancellation'),
      'cancellation-duplicate-transactions': duplicate('a cancellation'),
      'cancellation-wrong-credit': "a cancellation's ledger transaction credits other than the redemption's points",
      'duplicate-cancellations': 'a redemption is cancelled more than once',
      'cancellation-without-redemption': 'a cancellation names a redemption that does not exist',
      'adjustment-missing-transaction': missing('an adjustment'),
      'adjustment-duplicate-transactions': duplicate('an adjustment'),
      'adjustment-wrong-amount': "an adjustment's ledger transaction moves its customer by other than its points",
      'wrong-program-account': "a movement's ledger transaction posts to an account other than its customer and its program account",
      'transaction-without-movement': 'a return, redemption, cancellation or adjustment ledger transaction lacks its row',
    });
  }

  negativeBalancesExplained(db: PoolClient, scope: Scope): Promise<Finding[]> {
    return this.findings(db, 'NEGATIVE_BALANCES_EXPLAINED', lifecycle.negativeBalancesExplainedSql(scope), scope, {
      'unexplained-negative-balance': "a customer owes more points than its returns took back",
    });
  }

  async balanceTotal(db: PoolClient): Promise<bigint> {
    return BigInt((await db.query<{ total: string }>(q.BALANCE_TOTAL_SQL)).rows[0].total);
  }

  async entriesOutsideScopeTotal(db: PoolClient, scope: Scope): Promise<bigint> {
    const { rows } = await db.query<{ total: string }>(q.ENTRIES_OUTSIDE_SCOPE_SQL, q.scopeParams(scope));
    return BigInt(rows[0].total);
  }

  /** Rows read, by table: purchases, transactions, accounts, returns, redemptions, cancellations, adjustments. */
  async counts(db: PoolClient, scope: Scope): Promise<Record<CountedRows, bigint>> {
    const { rows } = await db.query<Record<CountedRows, string>>(q.countsSql(scope), q.scopeParams(scope));
    return Object.fromEntries(Object.entries(rows[0]).map(([name, n]) => [name, BigInt(n)])) as Record<CountedRows, bigint>;
  }

  async ledgerIsEmpty(db: PoolClient): Promise<boolean> {
    return (await db.query<{ empty: boolean }>(q.LEDGER_IS_EMPTY_SQL)).rows[0].empty;
  }

  async guards(db: PoolClient): Promise<{ triggers: CatalogTrigger[]; constraints: CatalogConstraint[]; indexes: CatalogIndex[] }> {
    const triggers = (await db.query<CatalogTrigger>(q.GUARD_TRIGGERS_SQL)).rows;
    const constraints = (await db.query<CatalogConstraint>(q.GUARD_CONSTRAINTS_SQL)).rows;
    const indexes = (await db.query<CatalogIndex>(q.GUARD_INDEXES_SQL)).rows;
    return { triggers, constraints, indexes };
  }

  promotionVersions(db: PoolClient): Promise<SequencedPromotionVersion[]> {
    return readPromotionVersions(db);
  }

  async retailers(db: PoolClient, ids: string[]): Promise<Map<string, RetailerPlace>> {
    const { rows } = await db.query<{ id: string; region: string | null; timezone: string }>(
      'select id, region, timezone from retailers where id = any($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, { region: r.region, timezone: r.timezone }]));
  }

  /** Check 5's input, a page at a time through a cursor (a sequential read, not one index probe per row). */
  async *purchaseSnapshots(db: PoolClient, scope: Scope): AsyncGenerator<PurchaseSnapshot[]> {
    await db.query(`declare purchase_snapshots no scroll cursor for ${q.purchaseSnapshotsSql(scope)}`, q.scopeParams(scope));
    try {
      for (;;) {
        const { rows } = await db.query<PurchaseSnapshotRow>(`fetch ${PURCHASE_PAGE} from purchase_snapshots`);
        if (rows.length === 0) return;
        yield rows.map(toSnapshot);
      }
    } finally {
      await db.query('close purchase_snapshots').catch(() => undefined);
    }
  }

  private async findings(
    db: PoolClient,
    check: CheckId,
    sql: string,
    scope: Scope,
    descriptions: Record<string, string>,
  ): Promise<Finding[]> {
    const { rows } = await db.query<FindingRow>(sql, q.scopeParams(scope));
    return rows.map((r) => ({
      check,
      kind: r.kind,
      description: descriptions[r.kind] ?? r.kind,
      count: BigInt(r.count),
      amount: BigInt(r.amount),
      examples: r.examples,
    }));
  }
}

interface PurchaseSnapshotRow {
  id: string;
  retailer_id: string;
  product_id: string;
  quantity: number;
  unit_price_cents: number;
  total_price_cents: string;
  promotion_id: string | null;
  award_rate: string | null;
  points_earned: string;
  purchased_ms: string;
  catalog_seq: string;
}

function toSnapshot(r: PurchaseSnapshotRow): PurchaseSnapshot {
  return {
    id: r.id,
    retailerId: r.retailer_id,
    productId: r.product_id,
    quantity: r.quantity,
    unitPriceCents: r.unit_price_cents,
    totalPriceCents: BigInt(r.total_price_cents),
    promotionId: r.promotion_id,
    awardRate: r.award_rate === null ? null : awardRateFromDatabase(r.award_rate),
    pointsEarned: BigInt(r.points_earned),
    purchasedAt: new Date(Number(r.purchased_ms)),
    catalogSeq: BigInt(r.catalog_seq),
  };
}
