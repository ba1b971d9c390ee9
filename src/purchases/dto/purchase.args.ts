import { ArgsType, Field, ID } from '@nestjs/graphql';
import { TEXT_LIMITS } from '../../common/validation/text-rules';
import { IsIdentifierText, IsUuidText } from '../../common/validation/validators';

@ArgsType()
export class PurchaseArgs {
  @Field(() => ID)
  @IsUuidText()
  retailerId!: string;

  @Field()
  @IsIdentifierText(TEXT_LIMITS.transactionId)
  transactionId!: string;
}
