import { Field, ID, ObjectType } from '@nestjs/graphql';
import { BigIntScalar, DateTimeScalar } from '../../common/scalars/scalars';

@ObjectType('PointsAdjustment')
export class PointsAdjustmentModel {
  @Field(() => ID)
  id!: string;

  @Field()
  idempotencyKey!: string;

  @Field(() => ID)
  customerId!: string;

  @Field(() => BigIntScalar)
  points!: bigint;

  @Field()
  reason!: string;

  @Field({ description: 'Who made it: the name of the ADMIN token or identity that called adjustPoints.' })
  actor!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType('AdjustmentResult')
export class AdjustmentResultModel {
  @Field(() => PointsAdjustmentModel)
  adjustment!: PointsAdjustmentModel;

  @Field(() => BigIntScalar, {
    description: "The customer's balance after this adjustment (current balance when replayed).",
  })
  customerBalance!: bigint;

  @Field()
  replayed!: boolean;
}
