import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '../config/config';
import { SQL_POOL } from '../database/database.module';
import { RetailerIdentity } from '../common/auth/principal';

interface CachedRetailer {
  retailer: RetailerIdentity | null;
  expiresAt: number;
}

/**
 * POS token digest -> retailer, cached because every purchase needs it. A retailer's name, region and time
 * zone never change after creation; an entry is looked up again after TOKEN_CACHE_SECONDS so that a token
 * removed from the database stops working within that bound on every instance.
 */
@Injectable()
export class RetailerDirectory {
  private readonly cache = new Map<string, CachedRetailer>();
  private readonly ttlMs: number;

  constructor(
    @Inject(SQL_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlMs = config.tokenCacheSeconds * 1000;
  }

  async findByTokenDigest(digest: Buffer): Promise<RetailerIdentity | null> {
    const key = digest.toString('hex');
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > now) return hit.retailer;
    const { rows } = await this.pool.query<RetailerIdentity>({
      name: 'retailer_by_token',
      text: 'select id, name, region, timezone from retailers where token_hash = $1',
      values: [digest],
    });
    const retailer = rows[0] ?? null;
    // Unknown tokens are not cached: a retailer created on another instance must work at once.
    if (retailer) this.cache.set(key, { retailer, expiresAt: now + this.ttlMs });
    return retailer;
  }
}
