import { Field, InputType } from '@nestjs/graphql';
import { IsOptional, IsString } from 'class-validator';
import { CharLength, HasNoControlCharacters, IsIanaTimeZone } from '../../common/validation/validators';

@InputType()
export class CreateRetailerInput {
  @Field()
  @IsString()
  @CharLength(1, 200)
  @HasNoControlCharacters()
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @CharLength(1, 100)
  @HasNoControlCharacters()
  region?: string | null;

  @Field(() => String, { nullable: true, description: 'IANA time zone name; defaults to UTC.' })
  @IsOptional()
  @IsIanaTimeZone()
  timezone?: string | null;
}
