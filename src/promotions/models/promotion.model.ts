import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DecimalScalar, LocalDateScalar } from '../../common/scalars/scalars';

@ObjectType('Promotion')
export class PromotionModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  seriesId!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => ID)
  productId!: string;

  @Field(() => ID, { nullable: true, description: 'Set for a promotion at one retailer.' })
  retailerId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Set for a promotion at every retailer of a region. Neither set: every retailer.',
  })
  region!: string | null;

  @Field(() => LocalDateScalar, {
    description: 'First and last day, inclusive, as local dates at the retailer where the sale happens.',
  })
  startDate!: string;

  @Field(() => LocalDateScalar)
  endDate!: string;

  @Field(() => DecimalScalar, { description: 'Points per dollar spent, e.g. "100" (100 points per dollar) or "1.5".' })
  awardRate!: string;
}
