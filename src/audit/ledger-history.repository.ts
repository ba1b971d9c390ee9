import { Inject, Injectable } from '@nestjs/common';
import { ClientBase, Pool } from 'pg';
import { Instant } from '../common/time/instant';
import { SQL_POOL } from '../database/database.module';
import { CursorPosition } from './cursor';
import { LedgerTransactionModel, TransactionKind } from './models/ledger-transaction.model';

/** An instant as exact epoch microseconds (PostgreSQL's precision), never through a JS Date. */
const MICROS = (column: string) => `(extract(epoch from ${column}) * 1000000)::bigint::text`;

/** The lifecycle references a walk may be restricted to (each null: not restricted); uuids in lower case. */
export interface HistoryReferences {
  /** The purchase's transaction and its returns' transactions. */
  purchaseId: string | null;
  returnId: string | null;
  /** The redemption's transaction and its cancellation's. */
  redemptionId: string | null;
  adjustmentId: string | null;
}

export const NO_REFERENCES: HistoryReferences = { purchaseId: null, returnId: null, redemptionId: null, adjustmentId: null };

export interface HistoryQuery {
  /** Set: one account's history, walked by the account's entry id. Null: every transaction, by recorded_at. */
  accountId: string | null;
  references: HistoryReferences;
  kind: TransactionKind | null;
  from: Instant | null;
  to: Instant | null;
  newestFirst: boolean;
  after: CursorPosition | null;
  /** Transactions to read. */
  limit: number;
}

export interface HistoryRow {
  node: LedgerTransactionModel;
  position: CursorPosition;
}

interface Row {
  id: string;
  key: string;
  kind: TransactionKind;
  purchase_id: string | null;
  corrects_id: string | null;
  return_id: string | null;
  redemption_id: string | null;
  adjustment_id: string | null;
  actor: string | null;
  reason: string | null;
  effective_at: string;
  recorded_at: string;
  entry_position: string | null;
  entry_id: string;
  account_code: string;
  amount: string;
}

type Param = (value: unknown, type: string) => string;

/**
 * The ledger transactions a reference filter allows, as a row source, and the conditions for the other references
 * given. The most selective reference drives, through its index (a return's or an adjustment's: one transaction; a
 * redemption's: two; a purchase's: its own and its returns', by purchase_returns (purchase_id, ...)), so a page
 * reads a handful of rows instead of walking the ledger's order index and filtering.
 */
function referenceSource(refs: HistoryReferences, param: Param): { source: string; conditions: string[] } {
  const returnsOf = (purchase: string) => `select r.id from purchase_returns r where r.purchase_id = ${purchase}`;
  const by = {
    returnId: (id: string) => `t.return_id = ${id}`,
    adjustmentId: (id: string) => `t.adjustment_id = ${id}`,
    redemptionId: (id: string) => `t.redemption_id = ${id}`,
    purchaseId: (id: string) => `(t.purchase_id = ${id} or t.return_id in (${returnsOf(id)}))`,
  };
  const given = (['returnId', 'adjustmentId', 'redemptionId', 'purchaseId'] as const).filter((k) => refs[k] !== null);
  if (given.length === 0) return { source: 'ledger_transactions t', conditions: [] };
  const [driver, ...others] = given;
  const id = param(refs[driver], 'uuid');
  const source =
    driver === 'purchaseId'
      ? `(select t.* from ledger_transactions t where t.purchase_id = ${id}
          union all
          select t.* from ledger_transactions t where t.return_id in (${returnsOf(id)})) t`
      : `(select t.* from ledger_transactions t where ${by[driver](id)}) t`;
  return { source, conditions: others.map((k) => by[k](param(refs[k], 'uuid'))) };
}

/**
 * Reads of ledger transactions with their entries, for the auditors and the export. Writes happen only in the
 * database's functions (record_purchases(), record_return(), ...). The export runs it on one client, inside one
 * repeatable-read transaction.
 */
@Injectable()
export class LedgerHistoryRepository {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool | ClientBase) {}

  /** How many entries belong to the transactions recorded in [from, to). */
  async countEntries(from: Instant | null, to: Instant | null): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `select count(*)::text as n
         from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
        where ($1::timestamptz is null or t.recorded_at >= $1::timestamptz)
          and ($2::timestamptz is null or t.recorded_at < $2::timestamptz)`,
      [from?.toIsoString() ?? null, to?.toIsoString() ?? null],
    );
    return Number(rows[0].n);
  }

  /**
   * One page of transactions, each with all of its entries, in one statement (one snapshot, one round trip).
   *
   * Keyset positions are immutable (rows are append-only), so a row never moves between pages: no duplicates,
   * and no row that existed when the walk began is skipped, whatever is inserted meanwhile.
   * - Without an account: (recorded_at, id) on ledger_transactions_recorded_idx (or the kind's index).
   * - With an account: the account's entry id on ledger_entries (account_id, id), so a page costs ~limit index
   *   reads whether the account has 100 entries or the liability's millions. A transaction with two entries on
   *   the account is placed by its first one, so it appears once.
   * - With a reference (purchase, return, redemption, adjustment): the few transactions it names, by their
   *   indexes (referenceSource), in the same order and with the same cursors.
   * The movement each transaction records (its return, redemption, cancellation or adjustment) is joined by
   * primary key for the purchase returned, the actor and the reason.
   */
  async page(q: HistoryQuery): Promise<HistoryRow[]> {
    const values: unknown[] = [];
    const param = (value: unknown, type: string) => {
      values.push(value);
      return `$${values.length}::${type}`;
    };
    const direction = q.newestFirst ? 'desc' : 'asc';
    const beyond = q.newestFirst ? '<' : '>';
    const referenced = referenceSource(q.references, param);
    const where: string[] = [...referenced.conditions];
    let source: string;
    let pageOrder: string;
    let outerOrder: string;
    if (q.accountId !== null) {
      source = `ledger_entries e join ${referenced.source} on t.id = e.transaction_id`;
      where.push(`e.account_id = ${param(q.accountId, 'uuid')}`);
      where.push(`not exists (select 1 from ledger_entries d
                   where d.transaction_id = e.transaction_id and d.account_id = e.account_id and d.id < e.id)`);
      if (q.after?.kind === 'entry') where.push(`e.id ${beyond} ${param(q.after.entryId.toString(), 'bigint')}`);
      pageOrder = `e.id ${direction}`;
      outerOrder = `m.entry_position ${direction}`;
    } else {
      source = referenced.source;
      if (q.after?.kind === 'transaction') {
        const at = Instant.fromEpochMicros(q.after.recordedAtMicros).toIsoString();
        where.push(`(t.recorded_at, t.id) ${beyond} (${param(at, 'timestamptz')}, ${param(q.after.id, 'uuid')})`);
      }
      pageOrder = `t.recorded_at ${direction}, t.id ${direction}`;
      outerOrder = `m.recorded_at ${direction}, m.id ${direction}`;
    }
    if (q.kind !== null) where.push(`t.kind = ${param(q.kind, 'text')}`);
    if (q.from !== null) where.push(`t.recorded_at >= ${param(q.from.toIsoString(), 'timestamptz')}`);
    if (q.to !== null) where.push(`t.recorded_at < ${param(q.to.toIsoString(), 'timestamptz')}`);

    // Unnamed statement on purpose: planned with the actual account, so the liability and a customer each get
    // their own plan instead of one generic plan for both.
    const { rows } = await this.pool.query<Row>(
      `with p as (
         select t.id, t.key, t.kind, t.purchase_id, t.corrects_id, t.return_id, t.redemption_id, t.adjustment_id,
                t.effective_at, t.recorded_at, ${q.accountId !== null ? 'e.id' : 'null::bigint'} as entry_position
           from ${source}
          where ${where.length ? where.join(' and ') : 'true'}
          order by ${pageOrder}
          limit ${param(q.limit, 'int')}
       ), m as (
         select p.*, coalesce(p.purchase_id, r.purchase_id) as shown_purchase_id,
                coalesce(adj.actor, red.actor, can.actor) as actor, adj.reason
           from p
           left join purchase_returns r on r.id = p.return_id
           left join redemptions red on red.id = p.redemption_id and p.kind = 'redemption'
           left join redemption_cancellations can on can.redemption_id = p.redemption_id and p.kind = 'cancellation'
           left join points_adjustments adj on adj.id = p.adjustment_id
       )
       select m.id, m.key, m.kind, m.shown_purchase_id as purchase_id, m.corrects_id, m.return_id, m.redemption_id,
              m.adjustment_id, m.actor, m.reason, ${MICROS('m.effective_at')} as effective_at,
              ${MICROS('m.recorded_at')} as recorded_at, m.entry_position::text as entry_position,
              x.id::text as entry_id, a.code as account_code, x.amount::text as amount
         from m
         join ledger_entries x on x.transaction_id = m.id
         join accounts a on a.id = x.account_id
        order by ${outerOrder}, x.id`,
      values,
    );
    return groupByTransaction(rows);
  }
}

/** Rows arrive one per entry, a transaction's entries together and in page order. */
function groupByTransaction(rows: Row[]): HistoryRow[] {
  const page: HistoryRow[] = [];
  for (const row of rows) {
    let last = page[page.length - 1];
    if (!last || last.node.id !== row.id) {
      const recordedAtMicros = BigInt(row.recorded_at);
      last = {
        node: {
          id: row.id,
          key: row.key,
          kind: row.kind,
          purchaseId: row.purchase_id,
          correctsId: row.corrects_id,
          returnId: row.return_id,
          redemptionId: row.redemption_id,
          adjustmentId: row.adjustment_id,
          actor: row.actor,
          reason: row.reason,
          effectiveAt: Instant.fromEpochMicros(BigInt(row.effective_at)),
          recordedAt: Instant.fromEpochMicros(recordedAtMicros),
          entries: [],
        },
        position:
          row.entry_position !== null
            ? { kind: 'entry', entryId: BigInt(row.entry_position) }
            : { kind: 'transaction', recordedAtMicros, id: row.id },
      };
      page.push(last);
    }
    last.node.entries.push({ id: row.entry_id, accountCode: row.account_code, amount: BigInt(row.amount) });
  }
  return page;
}
