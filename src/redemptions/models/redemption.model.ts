import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { BigIntScalar, DateTimeScalar } from '../../common/scalars/scalars';
import { RedemptionStatus } from '../redemption-status';

registerEnumType(RedemptionStatus, {
  name: 'RedemptionStatus',
  valuesMap: {
    COMPLETED: { description: 'The points are spent.' },
    CANCELLED: { description: 'Cancelled: its points were given back in a transaction of their own.' },
  },
});

@ObjectType('Redemption')
export class RedemptionModel {
  @Field(() => ID)
  id!: string;

  @Field()
  idempotencyKey!: string;

  @Field(() => ID)
  customerId!: string;

  @Field(() => BigIntScalar)
  points!: bigint;

  @Field()
  rewardReference!: string;

  @Field(() => RedemptionStatus)
  status!: RedemptionStatus;

  @Field(() => DateTimeScalar)
  redeemedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  cancelledAt!: Date | null;

  // An addition to the contract: who redeemed, recorded from the caller's token.
  @Field({ description: 'Who redeemed: the name of the REWARDS token or ADMIN identity that called redeemPoints.' })
  actor!: string;
}

@ObjectType('RedemptionResult')
export class RedemptionResultModel {
  @Field(() => RedemptionModel)
  redemption!: RedemptionModel;

  @Field(() => BigIntScalar, {
    description: "The customer's balance after this operation (current balance when replayed).",
  })
  customerBalance!: bigint;

  @Field()
  replayed!: boolean;
}
