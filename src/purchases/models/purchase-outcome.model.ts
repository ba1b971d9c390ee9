import { Field, ObjectType } from '@nestjs/graphql';
import { PurchaseResultModel } from './purchase.model';

@ObjectType('ItemError')
export class ItemErrorModel {
  @Field({ description: 'The code that recordPurchase would have answered for this item, e.g. CUSTOMER_NOT_FOUND.' })
  code!: string;

  @Field()
  message!: string;
}

/** One item of a recordPurchases call: exactly one of the two is set. */
@ObjectType('PurchaseOutcome')
export class PurchaseOutcomeModel {
  @Field(() => PurchaseResultModel, { nullable: true, description: 'Set when the item was recorded or replayed.' })
  result!: PurchaseResultModel | null;

  @Field(() => ItemErrorModel, { nullable: true, description: 'Set when the item was refused.' })
  error!: ItemErrorModel | null;
}
