import { Field, InputType, Int } from '@nestjs/graphql';
import { IsInt, Max, Min } from 'class-validator';
import { NAME_DESCRIPTION, TEXT_LIMITS } from '../../common/validation/text-rules';
import { IsNameText } from '../../common/validation/validators';

@InputType()
export class CreateProductInput {
  @Field({ description: NAME_DESCRIPTION })
  @IsNameText(TEXT_LIMITS.name)
  name!: string;

  @Field(() => Int)
  @IsInt()
  @Min(0, { message: 'priceCents must not be negative' })
  @Max(10_000_000)
  priceCents!: number;
}
