import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { BigIntScalar, DateTimeScalar, DecimalScalar } from '../../common/scalars/scalars';

@ObjectType('Purchase')
export class PurchaseModel {
  @Field(() => ID)
  id!: string;

  @Field()
  transactionId!: string;

  @Field(() => ID)
  retailerId!: string;

  @Field(() => ID)
  customerId!: string;

  @Field(() => ID)
  productId!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => Int)
  unitPriceCents!: number;

  @Field(() => BigIntScalar)
  totalPriceCents!: bigint;

  @Field(() => ID, { nullable: true, description: 'The promotion version that earned the points, or null when none applied.' })
  promotionId!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Points per dollar of the applied promotion, or null.' })
  awardRate!: string | null;

  @Field(() => BigIntScalar, { description: 'floor(totalPriceCents * awardRate / 100), or 0.' })
  pointsEarned!: bigint;

  @Field(() => DateTimeScalar)
  purchasedAt!: Date;

  @Field(() => DateTimeScalar)
  recordedAt!: Date;
}

@ObjectType('PurchaseResult')
export class PurchaseResultModel {
  @Field(() => PurchaseModel)
  purchase!: PurchaseModel;

  @Field(() => BigIntScalar, { description: 'Points credited by this purchase (the original credit when replayed).' })
  pointsAwarded!: bigint;

  @Field(() => BigIntScalar, {
    description: "The customer's balance after this purchase was applied (current balance when replayed).",
  })
  customerBalance!: bigint;

  @Field({ description: 'True when this (retailer, transactionId) had already been recorded: nothing new was credited.' })
  replayed!: boolean;
}
