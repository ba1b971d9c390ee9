import { ArgsType, Field } from '@nestjs/graphql';
import { RecordPurchaseInput } from './record-purchase.input';

/**
 * Deliberately without validation rules of its own (no @ValidateNested): the global pipe then hands the list on
 * untouched, and each item is validated by itself (PurchaseBatchService), so that one bad item is that item's
 * error and never the whole call's.
 */
@ArgsType()
export class RecordPurchasesArgs {
  @Field(() => [RecordPurchaseInput])
  inputs!: RecordPurchaseInput[];
}
