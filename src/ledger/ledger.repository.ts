import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { SQL_POOL } from '../database/database.module';

/** Reads of the materialized ledger. Writes happen only inside record_purchases() (see migrations/). */
@Injectable()
export class LedgerRepository {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  /** An account's balance: the sum of its bucket rows (the liability spreads over many). */
  async balanceOf(accountId: string): Promise<bigint> {
    const { rows } = await this.pool.query<{ balance: string }>({
      name: 'account_balance',
      text: 'select coalesce(sum(balance), 0)::text as balance from account_balances where account_id = $1',
      values: [accountId],
    });
    return BigInt(rows[0].balance);
  }
}
