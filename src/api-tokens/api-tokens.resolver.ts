import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Role } from '../common/auth/principal';
import { Roles } from '../common/auth/roles.decorator';
import { ApiTokensService } from './api-tokens.service';
import { ApiTokenIdArgs, ApiTokensArgs, CreateApiTokenArgs } from './dto/api-token.args';
import { ApiTokenModel, CreatedApiTokenModel } from './models/api-token.model';

@Resolver()
export class ApiTokensResolver {
  constructor(private readonly tokens: ApiTokensService) {}

  @Mutation(() => CreatedApiTokenModel, {
    description: 'ADMIN. A new API token of the given kind; it is shown only here, the service stores only a hash of it.',
  })
  @Roles(Role.ADMIN)
  createApiToken(@Args() args: CreateApiTokenArgs): Promise<CreatedApiTokenModel> {
    return this.tokens.create(args.role, args.name);
  }

  @Mutation(() => ApiTokenModel, {
    description:
      'ADMIN. Revokes an API token of any kind: refused at once by this instance, by every instance within ' +
      'TOKEN_CACHE_SECONDS. Revoking a revoked token changes nothing. NOT_FOUND for an unknown id.',
  })
  @Roles(Role.ADMIN)
  revokeApiToken(@Args() args: ApiTokenIdArgs): Promise<ApiTokenModel> {
    return this.tokens.revoke(args.id);
  }

  @Query(() => [ApiTokenModel], {
    description: 'ADMIN. API tokens of one kind, or of every kind, oldest first (never the tokens themselves).',
  })
  @Roles(Role.ADMIN)
  apiTokens(@Args() args: ApiTokensArgs): Promise<ApiTokenModel[]> {
    return this.tokens.list(args.role ?? null, args.includeRevoked);
  }
}
