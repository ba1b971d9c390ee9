import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { TokenCache } from '../common/auth/token-cache';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AUTH_POOL } from '../database/database.module';
import { apiTokenRoleOf, LiveApiToken } from './api-token-kinds';

/**
 * API token digest -> the live token, cached like the POS tokens (src/retailers/retailer-directory.ts), unknown and
 * revoked tokens included. A revocation made on this instance evicts the token at once; another instance keeps
 * accepting it until its entry expires, at most TOKEN_CACHE_SECONDS later.
 */
@Injectable()
export class ApiTokenDirectory {
  private readonly cache: TokenCache<LiveApiToken>;

  constructor(
    @Inject(AUTH_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cache = new TokenCache(config.tokenCacheSeconds * 1000);
  }

  /**
   * The live token, else null. Only a token whose prefix names a kind (api-token-kinds.ts) is looked up, so that
   * POS tokens (the purchase path) and tokens of no kind cost no query; and only among that kind's rows, so that a
   * token is accepted only as the kind it was made for.
   */
  async findLive(token: string, digest: Buffer): Promise<LiveApiToken | null> {
    const role = apiTokenRoleOf(token);
    if (role === null) return null;
    const key = digest.toString('hex');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const { rows } = await this.pool.query<{ id: string; name: string }>({
      name: 'api_token_by_digest',
      text: 'select id, name from api_tokens where token_hash = $1 and role = $2 and revoked_at is null',
      values: [digest, role],
    });
    const found: LiveApiToken | null = rows[0] ? { id: rows[0].id, role, name: rows[0].name } : null;
    this.cache.set(key, found);
    return found;
  }

  evict(id: string): void {
    this.cache.evictWhere((cached) => cached.id === id);
  }
}
