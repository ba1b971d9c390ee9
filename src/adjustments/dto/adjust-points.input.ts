import { Field, ID, InputType } from '@nestjs/graphql';
import { BigIntScalar } from '../../common/scalars/scalars';
import { IsPoints, MAX_POINTS_PER_MOVEMENT } from '../../common/validation/points-amount';
import { TEXT_LIMITS } from '../../common/validation/text-rules';
import { IsFreeText, IsIdentifierText, IsUuidText } from '../../common/validation/validators';

/** The database's CHECK on points_adjustments.reason, in code points. */
export const REASON_LIMIT = 500;

@InputType()
export class AdjustPointsInput {
  @Field({
    description: "The caller's key for this adjustment: 1 to 128 printable characters; unique among adjustments.",
  })
  @IsIdentifierText(TEXT_LIMITS.transactionId)
  idempotencyKey!: string;

  @Field(() => ID)
  @IsUuidText()
  customerId!: string;

  @Field(() => BigIntScalar, {
    description: `Not zero: positive credits the customer, negative debits. At most ${MAX_POINTS_PER_MOVEMENT} either way.`,
  })
  @IsPoints('adjust')
  points!: bigint;

  /** Free text: trimmed of invisible edges at the edge, and the trimmed text is what is stored and fingerprinted. */
  @Field({ description: 'Why: 1 to 500 characters.' })
  @IsFreeText(REASON_LIMIT)
  reason!: string;
}
