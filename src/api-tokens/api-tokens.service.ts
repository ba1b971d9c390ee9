import { Injectable } from '@nestjs/common';
import { generateToken, hashToken } from '../common/auth/tokens';
import { notFound } from '../common/errors/domain-error';
import { API_TOKEN_KINDS, ApiTokenRole } from './api-token-kinds';
import { ApiTokenDirectory } from './api-token-directory';
import { ApiTokenRow, ApiTokensRepository } from './api-tokens.repository';

export interface CreatedApiToken {
  apiToken: ApiTokenRow;
  /** The bearer token: returned here once, never stored. */
  authToken: string;
}

/**
 * The lifecycle of API tokens of every kind, for the ADMIN mutations and the `api-token` and `auditor-token`
 * commands. `role` null means any kind; a role given confines the operation to that kind (the AUDITOR-only API).
 */
@Injectable()
export class ApiTokensService {
  constructor(
    private readonly tokens: ApiTokensRepository,
    private readonly directory: ApiTokenDirectory,
  ) {}

  async create(role: ApiTokenRole, name: string): Promise<CreatedApiToken> {
    const authToken = generateToken(API_TOKEN_KINDS[role].prefix);
    const apiToken = await this.tokens.create(role, name, hashToken(authToken));
    return { apiToken, authToken };
  }

  /** Idempotent: revoking a revoked token returns it unchanged. Refused at once by this instance. */
  async revoke(id: string, role: ApiTokenRole | null = null): Promise<ApiTokenRow> {
    const token = await this.tokens.revoke(id, role);
    if (!token) throw notFound(`No ${role === null ? 'API token' : API_TOKEN_KINDS[role].noun} has this id`);
    this.directory.evict(token.id);
    return token;
  }

  list(role: ApiTokenRole | null = null, includeRevoked = false): Promise<ApiTokenRow[]> {
    return this.tokens.list(role, includeRevoked);
  }
}
