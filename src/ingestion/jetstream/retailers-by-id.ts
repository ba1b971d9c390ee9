import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { RetailerIdentity } from '../../common/auth/principal';
import { SQL_POOL } from '../../database/database.module';

/**
 * The retailer of a consumed submission, by id: its region and time zone decide which promotions apply. Found
 * retailers are cached for the life of the process (a retailer's name, region and time zone never change after
 * creation, as RetailerDirectory relies on too); an id that is not found is not cached, and is looked up again on
 * the message's next delivery.
 */
@Injectable()
export class RetailersById {
  private readonly cache = new Map<string, RetailerIdentity>();

  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  async find(id: string): Promise<RetailerIdentity | null> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const { rows } = await this.pool.query<RetailerIdentity>({
      name: 'retailer_by_id',
      text: 'select id, name, region, timezone from retailers where id = $1',
      values: [id],
    });
    if (rows[0]) this.cache.set(id, rows[0]);
    return rows[0] ?? null;
  }
}
