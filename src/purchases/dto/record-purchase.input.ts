import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { DateTimeScalar } from '../../common/scalars/scalars';
import { Instant } from '../../common/time/instant';
import { TEXT_LIMITS } from '../../common/validation/text-rules';
import { IsIdentifierText, IsUuidText } from '../../common/validation/validators';

@InputType()
export class RecordPurchaseInput {
  @Field({
    description:
      "The POS's own id for the sale: 1 to 128 printable characters, no whitespace at either end; unique per retailer, compared exactly as sent.",
  })
  @IsIdentifierText(TEXT_LIMITS.transactionId)
  transactionId!: string;

  @Field(() => ID)
  @IsUuidText()
  customerId!: string;

  @Field(() => ID)
  @IsUuidText()
  productId!: string;

  @Field(() => Int, { description: '1 to 10000.' })
  @IsInt()
  @Min(1)
  @Max(10_000)
  quantity!: number;

  @Field(() => Int, {
    nullable: true,
    description: "The unit price actually charged, in cents, 0 to 10000000; defaults to the product's list price.",
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  unitPriceCents?: number | null;

  /** Its format (an offset is required) is the scalar's job; its window is the service's. */
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When the sale happened at the POS; defaults to the time the service receives it.',
  })
  purchasedAt?: Instant | null;
}
