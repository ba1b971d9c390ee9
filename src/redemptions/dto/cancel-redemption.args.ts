import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsUuidText } from '../../common/validation/validators';

@ArgsType()
export class CancelRedemptionArgs {
  @Field(() => ID)
  @IsUuidText()
  id!: string;
}
