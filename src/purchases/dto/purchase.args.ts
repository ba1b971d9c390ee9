import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsString } from 'class-validator';
import { IsUuidText } from '../../common/validation/validators';

@ArgsType()
export class PurchaseArgs {
  @Field(() => ID)
  @IsUuidText()
  retailerId!: string;

  @Field()
  @IsString()
  transactionId!: string;
}
