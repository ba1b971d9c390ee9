import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { IsOptional, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { DecimalScalar, LocalDateScalar } from '../../common/scalars/scalars';
import { REGION_DESCRIPTION, TEXT_LIMITS } from '../../common/validation/text-rules';
import { IsAwardRate, IsIdentifierText, IsUuidText } from '../../common/validation/validators';

@InputType()
export class CreatePromotionInput {
  @Field(() => ID)
  @IsUuidText()
  productId!: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUuidText()
  retailerId?: string | null;

  @Field(() => String, { nullable: true, description: REGION_DESCRIPTION })
  @IsOptional()
  @IsIdentifierText(TEXT_LIMITS.region)
  region?: string | null;

  /** Calendar validity is the LocalDate scalar's job; the order of the two dates is the service's. */
  @Field(() => LocalDateScalar)
  startDate!: string;

  @Field(() => LocalDateScalar)
  endDate!: string;

  @Field(() => DecimalScalar)
  @IsAwardRate()
  awardRate!: string;
}

@InputType()
export class RevisePromotionInput {
  @Field(() => LocalDateScalar, { nullable: true })
  startDate?: string | null;

  @Field(() => LocalDateScalar, { nullable: true })
  endDate?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  @IsOptional()
  @IsAwardRate()
  awardRate?: string | null;
}

@ArgsType()
export class RevisePromotionArgs {
  @Field(() => ID)
  @IsUuidText()
  id!: string;

  @Field(() => RevisePromotionInput)
  @ValidateNested()
  @Type(() => RevisePromotionInput)
  input!: RevisePromotionInput;
}
