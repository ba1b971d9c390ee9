import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { actorOf, Principal, Role } from '../common/auth/principal';
import { CurrentPrincipal, Roles } from '../common/auth/roles.decorator';
import { DomainError } from '../common/errors/domain-error';
import { GraphqlContext } from '../graphql/graphql-context';
import { MovementMetrics } from '../metrics/movement.metrics';
import { CancelRedemptionArgs } from './dto/cancel-redemption.args';
import { RedeemPointsInput } from './dto/redeem-points.input';
import { RedemptionModel, RedemptionResultModel } from './models/redemption.model';
import { RedemptionsService } from './redemptions.service';

/** The outcome a log line names: the result's, or the refusal's code. */
const refusal = (error: unknown) => (error instanceof DomainError ? error.code : 'error');

@Resolver(() => RedemptionModel)
export class RedemptionsResolver {
  constructor(
    private readonly redemptions: RedemptionsService,
    private readonly movements: MovementMetrics,
  ) {}

  @Mutation(() => RedemptionResultModel, {
    description:
      "ADMIN or REWARDS. Spends a customer's points on a reward. Idempotent per idempotencyKey. Refused with " +
      "INSUFFICIENT_POINTS, changing nothing, when the customer's balance does not cover the points, also when many " +
      'redemptions race for the same balance.',
  })
  @Roles(Role.ADMIN, Role.REWARDS)
  async redeemPoints(
    @Args('input') input: RedeemPointsInput,
    @CurrentPrincipal() principal: Principal,
    @Context() context: GraphqlContext,
  ): Promise<RedemptionResultModel> {
    const fields = { customerId: input.customerId, idempotencyKey: input.idempotencyKey, points: input.points.toString() };
    try {
      const result = await this.redemptions.redeem(input, actorOf(principal));
      this.movements.succeeded('redemption', result.replayed, -result.redemption.points);
      context.req.log.info({ ...fields, redemptionId: result.redemption.id, replayed: result.replayed }, 'redemption');
      return result;
    } catch (error) {
      this.movements.failed('redemption', error);
      context.req.log.info({ ...fields, outcome: refusal(error) }, 'redemption refused');
      throw error;
    }
  }

  @Mutation(() => RedemptionResultModel, {
    description:
      'ADMIN or REWARDS. Cancels a redemption whose reward was not delivered and gives its points back. Cancelling ' +
      'an already cancelled redemption returns it with replayed = true and changes nothing. Unknown id: NOT_FOUND.',
  })
  @Roles(Role.ADMIN, Role.REWARDS)
  async cancelRedemption(
    @Args() args: CancelRedemptionArgs,
    @CurrentPrincipal() principal: Principal,
    @Context() context: GraphqlContext,
  ): Promise<RedemptionResultModel> {
    try {
      const result = await this.redemptions.cancel(args.id, actorOf(principal));
      this.movements.succeeded('cancellation', result.replayed, result.redemption.points);
      context.req.log.info({ redemptionId: args.id, replayed: result.replayed }, 'redemption cancelled');
      return result;
    } catch (error) {
      this.movements.failed('cancellation', error);
      context.req.log.info({ redemptionId: args.id, outcome: refusal(error) }, 'cancellation refused');
      throw error;
    }
  }
}
