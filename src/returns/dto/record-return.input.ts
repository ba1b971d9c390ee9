import { Field, InputType, Int } from '@nestjs/graphql';
import { IsInt, Max, Min } from 'class-validator';
import { DateTimeScalar } from '../../common/scalars/scalars';
import { Instant } from '../../common/time/instant';
import { TEXT_LIMITS } from '../../common/validation/text-rules';
import { IsIdentifierText } from '../../common/validation/validators';

/** The retailer is the POS token's, never part of the input: a POS returns only its own purchases. */
@InputType()
export class RecordReturnInput {
  @Field({
    description: "The POS's own id for the return: 1 to 128 printable characters; unique among this retailer's returns.",
  })
  @IsIdentifierText(TEXT_LIMITS.transactionId)
  transactionId!: string;

  @Field({ description: 'The transactionId of the purchase being returned, as this retailer recorded it.' })
  @IsIdentifierText(TEXT_LIMITS.transactionId)
  purchaseTransactionId!: string;

  /** The upper bound of what is left to return needs the purchase: the database decides it (units_exceeded). */
  @Field(() => Int, {
    description: 'Units returned by this return: at least 1, at most the units of the purchase not yet returned.',
  })
  @IsInt()
  @Min(1)
  @Max(10_000)
  quantity!: number;

  /** Its format (an offset is required) is the scalar's job; its window is the service's and the database's. */
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When the return happened; defaults to the time the service receives it. Not before the purchase.',
  })
  returnedAt?: Instant | null;
}
