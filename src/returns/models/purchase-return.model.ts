import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { BigIntScalar, DateTimeScalar } from '../../common/scalars/scalars';

/** A row of purchase_returns: append-only, one per (retailer, transactionId). */
@ObjectType('PurchaseReturn')
export class PurchaseReturnModel {
  @Field(() => ID)
  id!: string;

  @Field()
  transactionId!: string;

  @Field(() => ID)
  retailerId!: string;

  @Field(() => ID)
  purchaseId!: string;

  @Field(() => ID)
  customerId!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => BigIntScalar)
  pointsReversed!: bigint;

  @Field(() => DateTimeScalar)
  returnedAt!: Date;

  @Field(() => DateTimeScalar)
  recordedAt!: Date;
}

@ObjectType('ReturnResult')
export class ReturnResultModel {
  @Field(() => PurchaseReturnModel)
  return!: PurchaseReturnModel;

  @Field(() => BigIntScalar, { description: 'Points taken back by this return (the original figure when replayed).' })
  pointsReversed!: bigint;

  @Field(() => BigIntScalar, {
    description: "The customer's balance after this return (current balance when replayed). May be below zero.",
  })
  customerBalance!: bigint;

  @Field()
  replayed!: boolean;
}
