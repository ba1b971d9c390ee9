import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Principal, Role } from '../common/auth/principal';
import { CurrentPrincipal, Roles } from '../common/auth/roles.decorator';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { GraphqlContext } from '../graphql/graphql-context';
import { errorOutcome } from '../metrics/outcomes';
import { RecordPurchasesArgs } from './dto/record-purchases.args';
import { itemErrorOf } from './item-error';
import { PurchaseOutcomeModel } from './models/purchase-outcome.model';
import { PurchaseBatchService } from './purchase-batch.service';

@Resolver(() => PurchaseOutcomeModel)
export class PurchaseBatchResolver {
  constructor(private readonly batch: PurchaseBatchService) {}

  @Mutation(() => [PurchaseOutcomeModel], {
    description:
      'POS. Records 1 to 1,000 purchases in one call, each exactly as recordPurchase would record it (the same rules, ' +
      'idempotency included). Returns one outcome per input, in input order. An item that is refused never fails, ' +
      'delays or changes the others; the same transactionId twice in one call behaves as two calls in that order. ' +
      'An empty list or more than 1,000 items: BAD_USER_INPUT for the whole call, nothing recorded.',
  })
  @Roles(Role.POS)
  async recordPurchases(
    @Args() { inputs }: RecordPurchasesArgs,
    @CurrentPrincipal() principal: Principal,
    @Context() context: GraphqlContext,
  ): Promise<PurchaseOutcomeModel[]> {
    if (principal.role !== Role.POS) throw new DomainError(ErrorCode.FORBIDDEN, 'Only a POS token records purchases');
    const results = await this.batch.recordAll(principal.retailer, inputs, context.receivedAt);
    // One line per call, not per purchase: the outcomes by code, and each bug of ours with its cause.
    const outcomes: Record<string, number> = {};
    for (const r of results) {
      const outcome = r.ok ? r.value.outcome : errorOutcome(r.error);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (!r.ok && !(r.error instanceof DomainError)) context.req.log.error({ err: r.error }, 'purchase of a batch failed');
    }
    context.req.log.info({ retailerId: principal.retailer.id, items: results.length, outcomes }, 'purchase batch');
    return results.map((r) => (r.ok ? { result: r.value, error: null } : { result: null, error: itemErrorOf(r.error) }));
  }
}
