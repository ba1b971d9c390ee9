import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Principal, Role } from '../common/auth/principal';
import { CurrentPrincipal, Roles } from '../common/auth/roles.decorator';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { GraphqlContext } from '../graphql/graphql-context';
import { PurchaseArgs } from './dto/purchase.args';
import { RecordPurchaseInput } from './dto/record-purchase.input';
import { PurchaseModel, PurchaseResultModel } from './models/purchase.model';
import { PurchaseMetrics } from './purchase.metrics';
import { PurchasesService } from './purchases.service';

@Resolver(() => PurchaseModel)
export class PurchasesResolver {
  constructor(
    private readonly purchases: PurchasesService,
    private readonly metrics: PurchaseMetrics,
  ) {}

  @Mutation(() => PurchaseResultModel, {
    description:
      'POS. Records one purchase and credits its points exactly once. Idempotent per (retailer, transactionId).',
  })
  @Roles(Role.POS)
  async recordPurchase(
    @Args('input') input: RecordPurchaseInput,
    @CurrentPrincipal() principal: Principal,
    @Context() context: GraphqlContext,
  ): Promise<PurchaseResultModel> {
    if (principal.role !== Role.POS) throw new DomainError(ErrorCode.FORBIDDEN, 'Only a POS token records purchases');
    // One line per purchase, with the request id that pino adds; no child logger (it costs more than the line).
    const fields = { retailerId: principal.retailer.id, transactionId: input.transactionId };
    try {
      const result = await this.purchases.record(principal.retailer, input, context.receivedAt);
      this.metrics.succeeded(result.replayed, result.pointsAwarded);
      context.req.log.info({ ...fields, outcome: result.outcome, points: result.pointsAwarded.toString() }, 'purchase');
      return result;
    } catch (error) {
      this.metrics.failed(error);
      context.req.log.info({ ...fields, outcome: error instanceof DomainError ? error.code : 'error' }, 'purchase refused');
      throw error;
    }
  }

  @Query(() => PurchaseModel, {
    nullable: true,
    description: 'ADMIN or AUDITOR; POS only for its own retailer (retailerId must then be its own).',
  })
  @Roles(Role.ADMIN, Role.AUDITOR, Role.POS)
  purchase(@Args() args: PurchaseArgs, @CurrentPrincipal() principal: Principal): Promise<PurchaseModel | null> {
    if (principal.role === Role.POS && principal.retailer.id !== args.retailerId.toLowerCase()) {
      throw new DomainError(ErrorCode.FORBIDDEN, "A POS token reads only its own retailer's purchases");
    }
    return this.purchases.findByKey(args.retailerId, args.transactionId);
  }
}
