import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsBoolean, IsString } from 'class-validator';
import { CharLength, HasNoControlCharacters, IsUuidText } from '../../common/validation/validators';

@ArgsType()
export class CreateAuditorTokenArgs {
  @Field({ description: 'Who or what the token is for: 1 to 200 printable characters.' })
  @IsString()
  @CharLength(1, 200)
  @HasNoControlCharacters()
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
