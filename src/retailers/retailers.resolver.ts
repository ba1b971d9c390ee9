import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { Role } from '../common/auth/principal';
import { Roles } from '../common/auth/roles.decorator';
import { CreateRetailerInput } from './dto/create-retailer.input';
import { CreatedRetailerModel } from './models/retailer.model';
import { RetailersService } from './retailers.service';

@Resolver()
export class RetailersResolver {
  constructor(private readonly retailers: RetailersService) {}

  @Mutation(() => CreatedRetailerModel, {
    description: 'ADMIN. The token is shown only here; the service stores only a hash of it.',
  })
  @Roles(Role.ADMIN)
  createRetailer(@Args('input') input: CreateRetailerInput): Promise<CreatedRetailerModel> {
    return this.retailers.create(input);
  }
}
