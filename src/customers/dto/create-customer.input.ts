import { Field, InputType } from '@nestjs/graphql';
import { NAME_DESCRIPTION, TEXT_LIMITS } from '../../common/validation/text-rules';
import { IsNameText } from '../../common/validation/validators';

@InputType()
export class CreateCustomerInput {
  @Field({ description: NAME_DESCRIPTION })
  @IsNameText(TEXT_LIMITS.name)
  firstName!: string;

  @Field({ description: NAME_DESCRIPTION })
  @IsNameText(TEXT_LIMITS.name)
  lastName!: string;
}
