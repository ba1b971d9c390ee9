import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { Instant } from '../common/time/instant';
import { SQL_POOL } from '../database/database.module';
import { LedgerAccountKind } from './models/ledger-account.model';

export interface AccountRow {
  id: string;
  code: string;
  kind: LedgerAccountKind;
  customerId: string | null;
}

export interface AccountBalanceRow extends AccountRow {
  balance: bigint;
}

interface Row {
  id: string;
  code: string;
  kind: LedgerAccountKind;
  customer_id: string | null;
  balance?: string;
}

const toAccount = (row: Row): AccountRow => ({ id: row.id, code: row.code, kind: row.kind, customerId: row.customer_id });

// An account's balance as of an instant: its entries in the transactions recorded at or before it.
const BALANCE_AS_OF = (account: string, asOf: string) => `
  (select coalesce(sum(e.amount), 0)
     from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
    where e.account_id = ${account} and t.recorded_at <= ${asOf})`;

// An account's balance now: the sum of its materialized bucket rows.
const BALANCE_NOW = (account: string) => `
  (select coalesce(sum(b.balance), 0) from account_balances b where b.account_id = ${account})`;

/** Accounts and their balances, now (materialized) or as of an instant (from the entries), for the auditors. */
@Injectable()
export class LedgerBalancesRepository {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  async findAccount(code: string): Promise<AccountRow | null> {
    const { rows } = await this.pool.query<Row>({
      name: 'audit_account_by_code',
      text: 'select id, code, kind, customer_id from accounts where code = $1',
      values: [code],
    });
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async balanceAsOf(accountId: string, asOf: Instant): Promise<bigint> {
    const { rows } = await this.pool.query<{ balance: string }>(
      `select ${BALANCE_AS_OF('$1::uuid', '$2::timestamptz')}::text as balance`,
      [accountId, asOf.toIsoString()],
    );
    return BigInt(rows[0].balance);
  }

  /**
   * Accounts in code order after `afterCode`, with their balances. As of an instant, only the accounts that
   * existed then are listed.
   */
  async accountsPage(afterCode: string | null, limit: number, asOf: Instant | null): Promise<AccountBalanceRow[]> {
    const values: unknown[] = [afterCode, limit];
    let balance = BALANCE_NOW('a.id');
    let existed = 'true';
    if (asOf !== null) {
      values.push(asOf.toIsoString());
      balance = BALANCE_AS_OF('a.id', '$3::timestamptz');
      existed = 'a.created_at <= $3::timestamptz';
    }
    const { rows } = await this.pool.query<Row>(
      `select a.id, a.code, a.kind, a.customer_id, ${balance}::text as balance
         from accounts a
        where ($1::text is null or a.code > $1::text) and ${existed}
        order by a.code
        limit $2::int`,
      values,
    );
    return rows.map((row) => ({ ...toAccount(row), balance: BigInt(row.balance as string) }));
  }

  /** The sum of every account's balance: zero whenever the ledger is sound. */
  async total(asOf: Instant | null): Promise<bigint> {
    const { rows } =
      asOf === null
        ? await this.pool.query<{ total: string }>('select coalesce(sum(balance), 0)::text as total from account_balances')
        : await this.pool.query<{ total: string }>(
            `select coalesce(sum(e.amount), 0)::text as total
               from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
              where t.recorded_at <= $1::timestamptz`,
            [asOf.toIsoString()],
          );
    return BigInt(rows[0].total);
  }
}
