import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { SQL_POOL } from '../database/database.module';

/** The program's accounts, by code: the only accounts that are not a customer's (migrations 0001 and 0010). */
export const PROGRAM_ACCOUNTS = [
  'program:liability',
  'program:returns',
  'program:redemptions',
  'program:cancellations',
  'program:adjustments',
] as const;

export interface LedgerHealth {
  /** Each program account's balance now (0 for an account without a balance row yet). */
  programAccounts: ReadonlyArray<{ code: string; balance: bigint }>;
  /** Points the customers hold in all: the sum of their balances. */
  pointsOutstanding: bigint;
}

/**
 * The ledger-health gauges' one read: the program accounts' materialized balances, up to 64 bucket rows each,
 * found through the accounts' code and the balances' primary key: as cheap with ten million customers as with ten.
 */
@Injectable()
export class LedgerHealthRepository {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  async read(): Promise<LedgerHealth> {
    const { rows } = await this.pool.query<{ code: string; balance: string }>({
      name: 'metrics_program_balances',
      text: `select a.code, coalesce(sum(b.balance), 0)::text as balance
               from accounts a left join account_balances b on b.account_id = a.id
              where a.code = any($1::text[])
              group by a.code
              order by a.code`,
      values: [PROGRAM_ACCOUNTS],
    });
    const programAccounts = rows.map((row) => ({ code: row.code, balance: BigInt(row.balance) }));
    return { programAccounts, pointsOutstanding: outstandingFrom(programAccounts) };
  }
}

/**
 * The customers' points, without reading one row per customer: every ledger transaction sums to zero (the
 * database refuses one that does not) and every account is a customer's or the program's, so the customers
 * hold exactly what the program accounts gave out. Reconciliation checks 1 to 3 prove both after the fact; a
 * gap between this gauge and the customers' own balances is drift that they report.
 */
export function outstandingFrom(programAccounts: ReadonlyArray<{ balance: bigint }>): bigint {
  return -programAccounts.reduce((sum, account) => sum + account.balance, 0n);
}
