import { Field, InputType } from '@nestjs/graphql';
import { IsString } from 'class-validator';
import { CharLength, HasNoControlCharacters } from '../../common/validation/validators';

@InputType()
export class CreateCustomerInput {
  @Field()
  @IsString()
  @CharLength(1, 200)
  @HasNoControlCharacters()
  firstName!: string;

  @Field()
  @IsString()
  @CharLength(1, 200)
  @HasNoControlCharacters()
  lastName!: string;
}
