import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsBoolean, IsEnum, IsOptional } from 'class-validator';
import { NAME_DESCRIPTION, TEXT_LIMITS } from '../../common/validation/text-rules';
import { IsNameText, IsUuidText } from '../../common/validation/validators';
import { ApiTokenRole } from '../api-token-kinds';
import { ApiTokenRoleEnum } from '../models/api-token.model';

/** createAuditorToken's arguments, and the part of createApiToken's that every kind shares. */
@ArgsType()
export class ApiTokenNameArgs {
  @Field({ description: 'Who or what the token is for. ' + NAME_DESCRIPTION })
  @IsNameText(TEXT_LIMITS.name)
  name!: string;
}

@ArgsType()
export class CreateApiTokenArgs extends ApiTokenNameArgs {
  @Field(() => ApiTokenRoleEnum)
  @IsEnum(ApiTokenRoleEnum)
  role!: ApiTokenRole;
}

@ArgsType()
export class ApiTokenIdArgs {
  @Field(() => ID)
  @IsUuidText()
  id!: string;
}

/** auditorTokens' arguments, and the part of apiTokens' that every kind shares. */
@ArgsType()
export class ApiTokenListArgs {
  @Field({ defaultValue: false })
  @IsBoolean()
  includeRevoked: boolean = false;
}

@ArgsType()
export class ApiTokensArgs extends ApiTokenListArgs {
  @Field(() => ApiTokenRoleEnum, { nullable: true, description: 'Only tokens of this kind; omitted: every kind.' })
  @IsOptional()
  @IsEnum(ApiTokenRoleEnum)
  role?: ApiTokenRole | null;
}
