import { Inject, Injectable } from '@nestjs/common';
import { ClientBase, Pool } from 'pg';
import { Instant } from '../common/time/instant';
import { SQL_POOL } from '../database/database.module';
import { CursorPosition } from './cursor';
import { LedgerTransactionModel, TransactionKind } from './models/ledger-transaction.model';

/** An instant as exact epoch microseconds (PostgreSQL's precision), never through a JS Date. */
const MICROS = (column: string) => `(extract(epoch from ${column}) * 1000000)::bigint::text`;

export interface HistoryQuery {
  /** Set: one account's history, walked by the account's entry id. Null: every transaction, by recorded_at. */
  accountId: string | null;
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
  effective_at: string;
  recorded_at: string;
  entry_position: string | null;
  entry_id: string;
  account_code: string;
  amount: string;
}

/**
 * Reads of ledger transactions with their entries, for the auditors and the export. Writes happen only in
 * record_purchases(). The export runs it on one client, inside one repeatable-read transaction.
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
   */
  async page(q: HistoryQuery): Promise<HistoryRow[]> {
    const values: unknown[] = [];
    const param = (value: unknown, type: string) => {
      values.push(value);
      return `$${values.length}::${type}`;
    };
    const direction = q.newestFirst ? 'desc' : 'asc';
    const beyond = q.newestFirst ? '<' : '>';
    const where: string[] = [];
    let source: string;
    let pageOrder: string;
    let outerOrder: string;
    if (q.accountId !== null) {
      source = 'ledger_entries e join ledger_transactions t on t.id = e.transaction_id';
      where.push(`e.account_id = ${param(q.accountId, 'uuid')}`);
      where.push(`not exists (select 1 from ledger_entries d
                   where d.transaction_id = e.transaction_id and d.account_id = e.account_id and d.id < e.id)`);
      if (q.after?.kind === 'entry') where.push(`e.id ${beyond} ${param(q.after.entryId.toString(), 'bigint')}`);
      pageOrder = `e.id ${direction}`;
      outerOrder = `p.entry_position ${direction}`;
    } else {
      source = 'ledger_transactions t';
      if (q.after?.kind === 'transaction') {
        const at = Instant.fromEpochMicros(q.after.recordedAtMicros).toIsoString();
        where.push(`(t.recorded_at, t.id) ${beyond} (${param(at, 'timestamptz')}, ${param(q.after.id, 'uuid')})`);
      }
      pageOrder = `t.recorded_at ${direction}, t.id ${direction}`;
      outerOrder = `p.recorded_at ${direction}, p.id ${direction}`;
    }
    if (q.kind !== null) where.push(`t.kind = ${param(q.kind, 'text')}`);
    if (q.from !== null) where.push(`t.recorded_at >= ${param(q.from.toIsoString(), 'timestamptz')}`);
    if (q.to !== null) where.push(`t.recorded_at < ${param(q.to.toIsoString(), 'timestamptz')}`);

    // Unnamed statement on purpose: planned with the actual account, so the liability and a customer each get
    // their own plan instead of one generic plan for both.
    const { rows } = await this.pool.query<Row>(
      `with p as (
         select t.id, t.key, t.kind, t.purchase_id, t.corrects_id, t.effective_at, t.recorded_at,
                ${q.accountId !== null ? 'e.id' : 'null::bigint'} as entry_position
           from ${source}
          where ${where.length ? where.join(' and ') : 'true'}
          order by ${pageOrder}
          limit ${param(q.limit, 'int')}
       )
       select p.id, p.key, p.kind, p.purchase_id, p.corrects_id, ${MICROS('p.effective_at')} as effective_at,
              ${MICROS('p.recorded_at')} as recorded_at, p.entry_position::text as entry_position,
              x.id::text as entry_id, a.code as account_code, x.amount::text as amount
         from p
         join ledger_entries x on x.transaction_id = p.id
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
