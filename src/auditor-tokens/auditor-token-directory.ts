import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AuditorTokensRepository } from './auditor-tokens.repository';

interface CachedToken {
  id: string;
  expiresAt: number;
}

/**
 * AUDITOR token digest -> token id, cached like the POS tokens (src/retailers/retailer-directory.ts). A revocation
 * made on this instance evicts the token at once; another instance keeps accepting it until its entry expires,
 * at most TOKEN_CACHE_SECONDS later.
 */
@Injectable()
export class AuditorTokenDirectory {
  private readonly cache = new Map<string, CachedToken>();
  private readonly ttlMs: number;

  constructor(
    private readonly tokens: AuditorTokensRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlMs = config.tokenCacheSeconds * 1000;
  }

  /**
   * The token's id when it is live, else null. Only tokens made by generateToken('aud') are looked up, so that
   * POS tokens (the purchase path) and unknown tokens of other kinds cost no extra query.
   */
  async findLive(token: string, digest: Buffer): Promise<string | null> {
    if (!token.startsWith('aud_')) return null;
    const key = digest.toString('hex');
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > now) return hit.id;
    this.cache.delete(key);
    const id = await this.tokens.findLiveIdByDigest(digest);
    // Unknown and revoked tokens are not cached: a token created on another instance works at once, and the
    // cache holds at most the live tokens.
    if (id !== null && this.ttlMs > 0) this.cache.set(key, { id, expiresAt: now + this.ttlMs });
    return id;
  }

  evict(id: string): void {
    for (const [key, entry] of this.cache) if (entry.id === id) this.cache.delete(key);
  }
}
