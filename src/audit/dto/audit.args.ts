import { ArgsType, Field, ID, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsEnum, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { DateTimeScalar } from '../../common/scalars/scalars';
import { Instant } from '../../common/time/instant';
import { TEXT_LIMITS } from '../../common/validation/text-rules';
import { IsIdentifierText, IsUuidText } from '../../common/validation/validators';
import { TransactionKind } from '../models/ledger-transaction.model';

/** The largest page a client may ask for: bounds the work and the memory of one request. */
export const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 100;

export enum LedgerOrder {
  NEWEST_FIRST = 'NEWEST_FIRST',
  OLDEST_FIRST = 'OLDEST_FIRST',
}
registerEnumType(LedgerOrder, { name: 'LedgerOrder' });

@ArgsType()
export class LedgerAccountArgs {
  @Field({ description: "An account code: 'customer:<customer id>', 'program:liability' or 'program:returns', ':redemptions', ':cancellations', ':adjustments'." })
  @IsIdentifierText(TEXT_LIMITS.accountCode)
  code!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Balance as of this instant; omitted: now.' })
  asOf?: Instant | null;
}

@InputType('LedgerTransactionFilter')
export class LedgerTransactionFilterInput {
  @Field(() => String, { nullable: true, description: 'Only transactions with an entry on this account.' })
  @IsOptional()
  @IsIdentifierText(TEXT_LIMITS.accountCode)
  accountCode?: string | null;

  @Field(() => TransactionKind, { nullable: true })
  @IsOptional()
  @IsEnum(TransactionKind)
  kind?: TransactionKind | null;

  @Field(() => ID, { nullable: true, description: "Only the purchase's transaction and its returns' transactions." })
  @IsOptional()
  @IsUuidText()
  purchaseId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only the return's transaction." })
  @IsOptional()
  @IsUuidText()
  returnId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only the redemption's transaction and its cancellation's." })
  @IsOptional()
  @IsUuidText()
  redemptionId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only the adjustment's transaction." })
  @IsOptional()
  @IsUuidText()
  adjustmentId?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Recorded at or after this instant.' })
  from?: Instant | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Recorded before this instant (exclusive).' })
  to?: Instant | null;
}

@ArgsType()
export class LedgerTransactionsArgs {
  @Field(() => LedgerTransactionFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => LedgerTransactionFilterInput)
  filter?: LedgerTransactionFilterInput | null;

  @Field(() => LedgerOrder, { defaultValue: LedgerOrder.NEWEST_FIRST })
  @IsEnum(LedgerOrder)
  order: LedgerOrder = LedgerOrder.NEWEST_FIRST;

  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: `1 to ${MAX_PAGE_SIZE}.` })
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first: number = DEFAULT_PAGE_SIZE;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page, with the same filter and order.' })
  @IsOptional()
  @IsIdentifierText(TEXT_LIMITS.cursor)
  after?: string | null;
}

@ArgsType()
export class TrialBalanceArgs {
  @Field(() => DateTimeScalar, { nullable: true, description: 'Balances as of this instant; omitted: now.' })
  asOf?: Instant | null;

  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: `Accounts per page, 1 to ${MAX_PAGE_SIZE}.` })
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first: number = DEFAULT_PAGE_SIZE;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page, with the same asOf.' })
  @IsOptional()
  @IsIdentifierText(TEXT_LIMITS.cursor)
  after?: string | null;
}
