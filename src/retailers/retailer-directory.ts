import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { RetailerIdentity } from '../common/auth/principal';
import { TokenCache } from '../common/auth/token-cache';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AUTH_POOL } from '../database/database.module';

/**
 * POS token digest -> retailer, cached because every purchase needs it. A retailer's name, region and time
 * zone never change after creation; an entry is looked up again after TOKEN_CACHE_SECONDS so that a token
 * removed from the database stops working within that bound on every instance. Lookups use the auth pool, never
 * the purchase path's connections.
 */
@Injectable()
export class RetailerDirectory {
  private readonly cache: TokenCache<RetailerIdentity>;

  constructor(
    @Inject(AUTH_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cache = new TokenCache(config.tokenCacheSeconds * 1000);
  }

  async findByTokenDigest(digest: Buffer): Promise<RetailerIdentity | null> {
    const key = digest.toString('hex');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const { rows } = await this.pool.query<RetailerIdentity>({
      name: 'retailer_by_token',
      text: 'select id, name, region, timezone from retailers where token_hash = $1',
      values: [digest],
    });
    const retailer = rows[0] ?? null;
    this.cache.set(key, retailer);
    return retailer;
  }
}
