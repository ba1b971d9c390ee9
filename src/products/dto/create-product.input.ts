import { Field, InputType, Int } from '@nestjs/graphql';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { CharLength, HasNoControlCharacters } from '../../common/validation/validators';

@InputType()
export class CreateProductInput {
  @Field()
  @IsString()
  @CharLength(1, 200)
  @HasNoControlCharacters()
  name!: string;

  @Field(() => Int)
  @IsInt()
  @Min(0, { message: 'priceCents must not be negative' })
  @Max(10_000_000)
  priceCents!: number;
}
