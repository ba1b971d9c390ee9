import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { TokenCache } from '../common/auth/token-cache';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AUTH_POOL } from '../database/database.module';

/**
 * AUDITOR token digest -> token id, cached like the POS tokens (src/retailers/retailer-directory.ts), unknown and
 * revoked tokens included. A revocation made on this instance evicts the token at once; another instance keeps
 * accepting it until its entry expires, at most TOKEN_CACHE_SECONDS later.
 */
@Injectable()
export class AuditorTokenDirectory {
  private readonly cache: TokenCache<string>;

  constructor(
    @Inject(AUTH_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cache = new TokenCache(config.tokenCacheSeconds * 1000);
  }

  /**
   * The token's id when it is live, else null. Only tokens made by generateToken('aud') are looked up, so that
   * POS tokens (the purchase path) and unknown tokens of other kinds cost no extra query.
   */
  async findLive(token: string, digest: Buffer): Promise<string | null> {
    if (!token.startsWith('aud_')) return null;
    const key = digest.toString('hex');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const { rows } = await this.pool.query<{ id: string }>({
      name: 'auditor_token_by_digest',
      text: "select id from api_tokens where token_hash = $1 and role = 'AUDITOR' and revoked_at is null",
      values: [digest],
    });
    const id = rows[0]?.id ?? null;
    this.cache.set(key, id);
    return id;
  }

  evict(id: string): void {
    this.cache.evictWhere((cached) => cached === id);
  }
}
