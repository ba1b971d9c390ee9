import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Principal, Role } from '../common/auth/principal';
import { CurrentPrincipal, Roles } from '../common/auth/roles.decorator';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { GraphqlContext } from '../graphql/graphql-context';
import { MovementMetrics } from '../metrics/movement.metrics';
import { RecordReturnInput } from './dto/record-return.input';
import { PurchaseReturnModel, ReturnResultModel } from './models/purchase-return.model';
import { ReturnsService } from './returns.service';

@Resolver(() => PurchaseReturnModel)
export class ReturnsResolver {
  constructor(
    private readonly returns: ReturnsService,
    private readonly movements: MovementMetrics,
  ) {}

  @Mutation(() => ReturnResultModel, {
    description:
      'POS. Records the return of some or all units of a purchase that this retailer recorded, and takes back the\n' +
      'points those units earned. Idempotent per (retailer, transactionId) among returns: resending the same return\n' +
      'returns the original result with replayed = true; the same transactionId with a different payload fails with\n' +
      "IDEMPOTENCY_CONFLICT. The purchase must be this retailer's (else NOT_FOUND), and the units returned in all\n" +
      'must not exceed the units bought (else BAD_USER_INPUT).',
  })
  @Roles(Role.POS)
  async recordReturn(
    @Args('input') input: RecordReturnInput,
    @CurrentPrincipal() principal: Principal,
    @Context() context: GraphqlContext,
  ): Promise<ReturnResultModel> {
    if (principal.role !== Role.POS) throw new DomainError(ErrorCode.FORBIDDEN, 'Only a POS token records returns');
    // The retailer is the token's, never the input's: a POS can only return its own retailer's purchases.
    const fields = {
      retailerId: principal.retailer.id,
      transactionId: input.transactionId,
      purchaseTransactionId: input.purchaseTransactionId,
    };
    try {
      const result = await this.returns.record(principal.retailer, input, context.receivedAt);
      this.movements.succeeded('return', result.replayed, -result.pointsReversed);
      context.req.log.info({ ...fields, outcome: result.outcome, points: result.pointsReversed.toString() }, 'return');
      return result;
    } catch (error) {
      this.movements.failed('return', error);
      context.req.log.info({ ...fields, outcome: error instanceof DomainError ? error.code : 'error' }, 'return refused');
      throw error;
    }
  }
}
