import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { Role } from '../common/auth/principal';
import { Roles } from '../common/auth/roles.decorator';
import { CreateProductInput } from './dto/create-product.input';
import { ProductModel } from './models/product.model';
import { ProductsService } from './products.service';

@Resolver()
export class ProductsResolver {
  constructor(private readonly products: ProductsService) {}

  @Mutation(() => ProductModel, { description: 'ADMIN.' })
  @Roles(Role.ADMIN)
  createProduct(@Args('input') input: CreateProductInput): Promise<ProductModel> {
    return this.products.create(input);
  }
}
