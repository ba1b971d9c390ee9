import { ArgsType, Field } from '@nestjs/graphql';
import { TEXT_LIMITS } from '../../common/validation/text-rules';
import { IsIdentifierText } from '../../common/validation/validators';

@ArgsType()
export class PurchaseSubmissionArgs {
  @Field()
  @IsIdentifierText(TEXT_LIMITS.transactionId)
  transactionId!: string;
}
