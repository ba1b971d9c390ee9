import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { BigIntScalar, DateTimeScalar } from '../../common/scalars/scalars';
import { Instant } from '../../common/time/instant';
import { PageInfoModel } from './page-info.model';

/** The values are the database's accounts.kind. */
export enum LedgerAccountKind {
  CUSTOMER = 'customer',
  /** program:liability, the account of purchases (what the program owes customers for points issued). */
  LIABILITY = 'liability',
  /** The other side of each lifecycle movement: program:returns, :redemptions, :cancellations, :adjustments. */
  PROGRAM = 'program',
}
registerEnumType(LedgerAccountKind, {
  name: 'LedgerAccountKind',
  valuesMap: {
    LIABILITY: { description: 'program:liability: the other side of purchases.' },
    PROGRAM: { description: 'The other side of returns, redemptions, cancellations or adjustments, one account each.' },
  },
});

@ObjectType('LedgerAccount')
export class LedgerAccountModel {
  @Field(() => ID)
  id!: string;

  @Field({
    description:
      "'customer:<customer id>', 'program:liability' (purchases) or the program account of a lifecycle movement: " +
      "'program:returns', 'program:redemptions', 'program:cancellations', 'program:adjustments'.",
  })
  code!: string;

  @Field(() => LedgerAccountKind)
  kind!: LedgerAccountKind;

  @Field(() => ID, { nullable: true, description: "The customer of a customer's points account." })
  customerId!: string | null;

  @Field(() => BigIntScalar, {
    description:
      'Without asOf: the materialized balance now. With asOf: the sum of its entries in the ledger transactions ' +
      'recorded at or before that instant.',
  })
  balance!: bigint;

  @Field(() => DateTimeScalar, { nullable: true, description: 'The instant the balance is taken at; null: now.' })
  asOf!: Instant | null;
}

@ObjectType('LedgerAccountEdge')
export class LedgerAccountEdgeModel {
  @Field()
  cursor!: string;

  @Field(() => LedgerAccountModel)
  node!: LedgerAccountModel;
}

@ObjectType('LedgerAccountConnection')
export class LedgerAccountConnectionModel {
  @Field(() => [LedgerAccountEdgeModel])
  edges!: LedgerAccountEdgeModel[];

  @Field(() => PageInfoModel)
  pageInfo!: PageInfoModel;
}
