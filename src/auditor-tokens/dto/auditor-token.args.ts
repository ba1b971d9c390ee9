import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsBoolean } from 'class-validator';
import { NAME_DESCRIPTION, TEXT_LIMITS } from '../../common/validation/text-rules';
import { IsNameText, IsUuidText } from '../../common/validation/validators';

@ArgsType()
export class CreateAuditorTokenArgs {
  @Field({ description: 'Who or what the token is for. ' + NAME_DESCRIPTION })
  @IsNameText(TEXT_LIMITS.name)
  name!: string;
}

@ArgsType()
export class RevokeAuditorTokenArgs {
  @Field(() => ID)
  @IsUuidText()
  id!: string;
}

@ArgsType()
export class AuditorTokensArgs {
  @Field({ defaultValue: false })
  @IsBoolean()
  includeRevoked: boolean = false;
}
