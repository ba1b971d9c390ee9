import { Field, ID, InputType } from '@nestjs/graphql';
import { BigIntScalar } from '../../common/scalars/scalars';
import { IsPoints, MAX_POINTS_PER_MOVEMENT } from '../../common/validation/points-amount';
import { TEXT_LIMITS } from '../../common/validation/text-rules';
import { IsIdentifierText, IsUuidText } from '../../common/validation/validators';

/** As long as a name: a reference in the rewards catalog, compared exactly as sent. */
export const REWARD_REFERENCE_LIMIT = 200;

@InputType()
export class RedeemPointsInput {
  @Field({
    description: "The caller's key for this redemption: 1 to 128 printable characters; unique among redemptions.",
  })
  @IsIdentifierText(TEXT_LIMITS.transactionId)
  idempotencyKey!: string;

  @Field(() => ID)
  @IsUuidText()
  customerId!: string;

  @Field(() => BigIntScalar, { description: `Points to spend: at least 1. At most ${MAX_POINTS_PER_MOVEMENT}.` })
  @IsPoints('spend')
  points!: bigint;

  /** An identifier, not a name: part of the replay digest, so it is never trimmed or otherwise rewritten. */
  @Field({ description: 'The reward in the rewards catalog: 1 to 200 printable characters.' })
  @IsIdentifierText(REWARD_REFERENCE_LIMIT)
  rewardReference!: string;
}
