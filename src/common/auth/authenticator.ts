import { Inject, Injectable } from '@nestjs/common';
import { ApiTokenDirectory } from '../../api-tokens/api-token-directory';
import { apiTokenRoleOf, principalOf } from '../../api-tokens/api-token-kinds';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { RetailerDirectory } from '../../retailers/retailer-directory';
import { Principal, Role } from './principal';
import { hashToken, sameDigest } from './tokens';

export interface Authentication {
  principal: Principal | null;
  /** The token's digest in hex: the key its rate limit is counted under. */
  key: string;
}

/**
 * Who a bearer token is: the configured ADMIN and AUDITOR tokens, a live API token (AUDITOR, REWARDS), or a
 * retailer's POS token; null for none. Directory lookups are cached, unknown tokens included, and run on the auth
 * pool.
 */
@Injectable()
export class Authenticator {
  private readonly adminDigest: Buffer | null;
  private readonly auditorDigest: Buffer | null;
  private readonly adminName: string;

  constructor(
    private readonly retailers: RetailerDirectory,
    private readonly apiTokens: ApiTokenDirectory,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.adminDigest = config.adminApiToken ? hashToken(config.adminApiToken) : null;
    this.auditorDigest = config.auditorApiToken ? hashToken(config.auditorApiToken) : null;
    this.adminName = config.adminName;
  }

  async authenticate(token: string): Promise<Authentication> {
    const digest = hashToken(token);
    const key = digest.toString('hex');
    if (this.adminDigest && sameDigest(digest, this.adminDigest)) return { principal: { role: Role.ADMIN, name: this.adminName }, key };
    if (this.auditorDigest && sameDigest(digest, this.auditorDigest)) {
      return { principal: { role: Role.AUDITOR, name: 'AUDITOR_API_TOKEN' }, key };
    }
    // A token with an API token kind's prefix is that kind's or nobody's: never a POS token, so a revoked or
    // made-up one costs one lookup per cache period, not two.
    if (apiTokenRoleOf(token) !== null) {
      const apiToken = await this.apiTokens.findLive(token, digest);
      return { principal: apiToken ? principalOf(apiToken) : null, key };
    }
    const retailer = await this.retailers.findByTokenDigest(digest);
    return { principal: retailer ? { role: Role.POS, retailer } : null, key };
  }
}
