import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsUuidText } from '../../common/validation/validators';

@ArgsType()
export class CustomerArgs {
  @Field(() => ID)
  @IsUuidText()
  id!: string;
}
