import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { Role } from '../common/auth/principal';
import { Roles } from '../common/auth/roles.decorator';
import { CreatePromotionInput, RevisePromotionArgs } from './dto/promotion.inputs';
import { PromotionModel } from './models/promotion.model';
import { PromotionsService } from './promotions.service';

@Resolver(() => PromotionModel)
export class PromotionsResolver {
  constructor(private readonly promotions: PromotionsService) {}

  @Mutation(() => PromotionModel, { description: 'ADMIN. Starts a new promotion series at version 0.' })
  @Roles(Role.ADMIN)
  createPromotion(@Args('input') input: CreatePromotionInput): Promise<PromotionModel> {
    return this.promotions.create(input);
  }

  @Mutation(() => PromotionModel, {
    description:
      "ADMIN. Appends the next version of a promotion's series; `id` is the id of any version of that series. " +
      "Fields left out keep the latest version's values.",
  })
  @Roles(Role.ADMIN)
  revisePromotion(@Args() args: RevisePromotionArgs): Promise<PromotionModel> {
    return this.promotions.revise(args.id, args.input);
  }
}
