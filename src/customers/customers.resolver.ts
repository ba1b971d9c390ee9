import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Role } from '../common/auth/principal';
import { Roles } from '../common/auth/roles.decorator';
import { CustomersService } from './customers.service';
import { CreateCustomerInput } from './dto/create-customer.input';
import { CustomerArgs } from './dto/customer.args';
import { CustomerModel } from './models/customer.model';

@Resolver(() => CustomerModel)
export class CustomersResolver {
  constructor(private readonly customers: CustomersService) {}

  @Query(() => CustomerModel, { nullable: true, description: 'ADMIN or AUDITOR.' })
  @Roles(Role.ADMIN, Role.AUDITOR)
  customer(@Args() args: CustomerArgs): Promise<CustomerModel | null> {
    return this.customers.find(args.id);
  }

  @Mutation(() => CustomerModel, { description: 'ADMIN.' })
  @Roles(Role.ADMIN)
  createCustomer(@Args('input') input: CreateCustomerInput): Promise<CustomerModel> {
    return this.customers.create(input);
  }
}
