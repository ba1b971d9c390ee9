import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Product')
export class ProductModel {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => Int)
  priceCents!: number;
}
