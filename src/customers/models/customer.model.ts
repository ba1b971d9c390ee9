import { Field, ID, ObjectType } from '@nestjs/graphql';
import { BigIntScalar } from '../../common/scalars/scalars';

@ObjectType('Customer')
export class CustomerModel {
  @Field(() => ID)
  id!: string;

  @Field()
  firstName!: string;

  @Field()
  lastName!: string;

  @Field(() => BigIntScalar, { description: "Materialized from the customer's ledger entries." })
  pointBalance!: bigint;
}
