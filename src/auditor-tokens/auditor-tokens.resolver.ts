import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Role } from '../common/auth/principal';
import { Roles } from '../common/auth/roles.decorator';
import { AuditorTokensService } from './auditor-tokens.service';
import { AuditorTokensArgs, CreateAuditorTokenArgs, RevokeAuditorTokenArgs } from './dto/auditor-token.args';
import { AuditorTokenModel, CreatedAuditorTokenModel } from './models/auditor-token.model';

@Resolver()
export class AuditorTokensResolver {
  constructor(private readonly tokens: AuditorTokensService) {}

  @Mutation(() => CreatedAuditorTokenModel, {
    description: 'ADMIN. A new AUDITOR token; it is shown only here, the service stores only a hash of it.',
  })
  @Roles(Role.ADMIN)
  createAuditorToken(@Args() args: CreateAuditorTokenArgs): Promise<CreatedAuditorTokenModel> {
    return this.tokens.create(args.name);
  }

  @Mutation(() => AuditorTokenModel, {
    description:
      'ADMIN. Revokes an AUDITOR token: refused at once by this instance, by every instance within ' +
      'TOKEN_CACHE_SECONDS. Revoking a revoked token changes nothing. NOT_FOUND for an unknown id.',
  })
  @Roles(Role.ADMIN)
  revokeAuditorToken(@Args() args: RevokeAuditorTokenArgs): Promise<AuditorTokenModel> {
    return this.tokens.revoke(args.id);
  }

  @Query(() => [AuditorTokenModel], { description: 'ADMIN. AUDITOR tokens, oldest first (never the tokens themselves).' })
  @Roles(Role.ADMIN)
  auditorTokens(@Args() args: AuditorTokensArgs): Promise<AuditorTokenModel[]> {
    return this.tokens.list(args.includeRevoked);
  }
}
