import { Field, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../common/scalars/scalars';
import { Instant } from '../../common/time/instant';
import { CursorPosition } from '../cursor';

/**
 * The trial balance's total and its page of accounts are field resolvers: each is computed only when asked for,
 * so that walking 100,000 accounts does not re-add every entry of the ledger on every page.
 */
@ObjectType('TrialBalance')
export class TrialBalanceModel {
  @Field(() => DateTimeScalar, { nullable: true, description: 'The instant of the balances; null: now.' })
  asOf!: Instant | null;

  /** The page asked for, already validated: read by the field resolvers. */
  first!: number;
  after!: Extract<CursorPosition, { kind: 'account' }> | null;
  fingerprint!: string;
}
