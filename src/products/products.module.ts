import { Module } from '@nestjs/common';
import { ProductCatalog } from './product-catalog';
import { ProductsResolver } from './products.resolver';
import { ProductsService } from './products.service';

@Module({
  providers: [ProductsService, ProductsResolver, ProductCatalog],
  exports: [ProductsService, ProductCatalog],
})
export class ProductsModule {}
