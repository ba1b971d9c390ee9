import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Role } from '../common/auth/principal';
import { Roles } from '../common/auth/roles.decorator';
import { ApiTokensService } from './api-tokens.service';
import { ApiTokenIdArgs, ApiTokenListArgs, ApiTokenNameArgs } from './dto/api-token.args';
import { AuditorTokenModel, CreatedAuditorTokenModel } from './models/auditor-token.model';

/**
 * The AUDITOR token operations as they were before tokens had other kinds, kept for their clients: createApiToken,
 * revokeApiToken and apiTokens with the role fixed to AUDITOR, through the same service. A REWARDS token's id is
 * NOT_FOUND here, as it would have been.
 */
@Resolver()
export class AuditorTokensResolver {
  constructor(private readonly tokens: ApiTokensService) {}

  @Mutation(() => CreatedAuditorTokenModel, {
    description: 'ADMIN. A new AUDITOR token; it is shown only here, the service stores only a hash of it.',
  })
  @Roles(Role.ADMIN)
  async createAuditorToken(@Args() args: ApiTokenNameArgs): Promise<CreatedAuditorTokenModel> {
    const { apiToken, authToken } = await this.tokens.create(Role.AUDITOR, args.name);
    return { auditorToken: apiToken, authToken };
  }

  @Mutation(() => AuditorTokenModel, {
    description:
      'ADMIN. Revokes an AUDITOR token: refused at once by this instance, by every instance within ' +
      'TOKEN_CACHE_SECONDS. Revoking a revoked token changes nothing. NOT_FOUND for an unknown id.',
  })
  @Roles(Role.ADMIN)
  revokeAuditorToken(@Args() args: ApiTokenIdArgs): Promise<AuditorTokenModel> {
    return this.tokens.revoke(args.id, Role.AUDITOR);
  }

  @Query(() => [AuditorTokenModel], { description: 'ADMIN. AUDITOR tokens, oldest first (never the tokens themselves).' })
  @Roles(Role.ADMIN)
  auditorTokens(@Args() args: ApiTokenListArgs): Promise<AuditorTokenModel[]> {
    return this.tokens.list(Role.AUDITOR, args.includeRevoked);
  }
}
