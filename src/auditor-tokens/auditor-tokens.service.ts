import { Injectable } from '@nestjs/common';
import { generateToken, hashToken } from '../common/auth/tokens';
import { notFound } from '../common/errors/domain-error';
import { AuditorTokenDirectory } from './auditor-token-directory';
import { AuditorTokenRow, AuditorTokensRepository } from './auditor-tokens.repository';

export interface CreatedAuditorToken {
  auditorToken: AuditorTokenRow;
  /** The bearer token: returned here once, never stored. */
  authToken: string;
}

/** The lifecycle of AUDITOR tokens, for the ADMIN mutations and the `auditor-token` command. */
@Injectable()
export class AuditorTokensService {
  constructor(
    private readonly tokens: AuditorTokensRepository,
    private readonly directory: AuditorTokenDirectory,
  ) {}

  async create(name: string): Promise<CreatedAuditorToken> {
    const authToken = generateToken('aud');
    const auditorToken = await this.tokens.create(name, hashToken(authToken));
    return { auditorToken, authToken };
  }

  /** Idempotent: revoking a revoked token returns it unchanged. */
  async revoke(id: string): Promise<AuditorTokenRow> {
    const token = await this.tokens.revoke(id);
    if (!token) throw notFound('No auditor token has this id');
    this.directory.evict(token.id);
    return token;
  }

  list(includeRevoked = false): Promise<AuditorTokenRow[]> {
    return this.tokens.list(includeRevoked);
  }
}
