import { Field, InputType } from '@nestjs/graphql';
import { IsOptional } from 'class-validator';
import { NAME_DESCRIPTION, REGION_DESCRIPTION, TEXT_LIMITS } from '../../common/validation/text-rules';
import { IsIanaTimeZone, IsIdentifierText, IsNameText } from '../../common/validation/validators';

@InputType()
export class CreateRetailerInput {
  @Field({ description: NAME_DESCRIPTION })
  @IsNameText(TEXT_LIMITS.name)
  name!: string;

  @Field(() => String, { nullable: true, description: REGION_DESCRIPTION })
  @IsOptional()
  @IsIdentifierText(TEXT_LIMITS.region)
  region?: string | null;

  @Field(() => String, { nullable: true, description: 'IANA time zone name; defaults to UTC.' })
  @IsOptional()
  @IsIanaTimeZone()
  timezone?: string | null;
}
