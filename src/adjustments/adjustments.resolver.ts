import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { actorOf, Principal, Role } from '../common/auth/principal';
import { CurrentPrincipal, Roles } from '../common/auth/roles.decorator';
import { DomainError } from '../common/errors/domain-error';
import { GraphqlContext } from '../graphql/graphql-context';
import { MovementMetrics } from '../metrics/movement.metrics';
import { AdjustmentsService } from './adjustments.service';
import { AdjustPointsInput } from './dto/adjust-points.input';
import { AdjustmentResultModel, PointsAdjustmentModel } from './models/points-adjustment.model';

@Resolver(() => PointsAdjustmentModel)
export class AdjustmentsResolver {
  constructor(
    private readonly adjustments: AdjustmentsService,
    private readonly movements: MovementMetrics,
  ) {}

  @Mutation(() => AdjustmentResultModel, {
    description:
      'ADMIN. Credits (points > 0) or debits (points < 0) a customer, with a reason that auditors see together with ' +
      "who made it. Idempotent per idempotencyKey. A debit beyond the customer's balance: INSUFFICIENT_POINTS.",
  })
  @Roles(Role.ADMIN)
  async adjustPoints(
    @Args('input') input: AdjustPointsInput,
    @CurrentPrincipal() principal: Principal,
    @Context() context: GraphqlContext,
  ): Promise<AdjustmentResultModel> {
    // The reason is not logged: free text written by a person may name the customer.
    const fields = { customerId: input.customerId, idempotencyKey: input.idempotencyKey, points: input.points.toString() };
    try {
      const result = await this.adjustments.adjust(input, actorOf(principal));
      this.movements.succeeded('adjustment', result.replayed, result.adjustment.points);
      context.req.log.info({ ...fields, adjustmentId: result.adjustment.id, replayed: result.replayed }, 'adjustment');
      return result;
    } catch (error) {
      this.movements.failed('adjustment', error);
      context.req.log.info({ ...fields, outcome: error instanceof DomainError ? error.code : 'error' }, 'adjustment refused');
      throw error;
    }
  }
}
