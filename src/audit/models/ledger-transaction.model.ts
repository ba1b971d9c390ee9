import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { BigIntScalar, DateTimeScalar } from '../../common/scalars/scalars';
import { Instant } from '../../common/time/instant';
import { PageInfoModel } from './page-info.model';

/** The values are the database's ledger_transactions.kind. */
export enum TransactionKind {
  PURCHASE = 'purchase',
  CORRECTION = 'correction',
  RETURN = 'return',
  REDEMPTION = 'redemption',
  CANCELLATION = 'cancellation',
  ADJUSTMENT = 'adjustment',
}
registerEnumType(TransactionKind, { name: 'LedgerTransactionKind' });

@ObjectType('LedgerEntry')
export class LedgerEntryModel {
  @Field(() => ID, { description: 'Ledger entry ids grow in the order entries were written.' })
  id!: string;

  @Field()
  accountCode!: string;

  @Field(() => BigIntScalar, { description: 'Signed: positive credits the account, negative debits it.' })
  amount!: bigint;
}

@ObjectType('LedgerTransaction')
export class LedgerTransactionModel {
  @Field(() => ID)
  id!: string;

  @Field({
    description:
      "Unique; a purchase's is 'purchase:<purchase id>', a return's 'return:<return id>', a redemption's " +
      "'redemption:<redemption id>', its cancellation's 'cancellation:<redemption id>', an adjustment's " +
      "'adjustment:<adjustment id>'.",
  })
  key!: string;

  @Field(() => TransactionKind)
  kind!: TransactionKind;

  @Field(() => ID, { nullable: true, description: 'The purchase it records or, for a return, the purchase returned.' })
  purchaseId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The transaction a correction corrects.' })
  correctsId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The return it records (kind RETURN).' })
  returnId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The redemption it records or, for a cancellation, the redemption cancelled.' })
  redemptionId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The adjustment it records (kind ADJUSTMENT).' })
  adjustmentId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Who made it: the actor of an adjustment, a redemption or a cancellation (a token name or the ADMIN identity).',
  })
  actor!: string | null;

  @Field(() => String, { nullable: true, description: "An adjustment's reason." })
  reason!: string | null;

  @Field(() => DateTimeScalar, {
    description:
      "When the movement happened in the business: a purchase's sale time, a return's returnedAt; for a " +
      'redemption, cancellation or adjustment, when it was made.',
  })
  effectiveAt!: Instant;

  @Field(() => DateTimeScalar, {
    description: 'When it entered the ledger (to the microsecond): what asOf, from and to select on.',
  })
  recordedAt!: Instant;

  @Field(() => [LedgerEntryModel], { description: 'Every entry of the transaction; their amounts sum to zero.' })
  entries!: LedgerEntryModel[];
}

@ObjectType('LedgerTransactionEdge')
export class LedgerTransactionEdgeModel {
  @Field()
  cursor!: string;

  @Field(() => LedgerTransactionModel)
  node!: LedgerTransactionModel;
}

@ObjectType('LedgerTransactionConnection')
export class LedgerTransactionConnectionModel {
  @Field(() => [LedgerTransactionEdgeModel])
  edges!: LedgerTransactionEdgeModel[];

  @Field(() => PageInfoModel)
  pageInfo!: PageInfoModel;
}
