import { Module } from '@nestjs/common';
import { ProductsModule } from '../products/products.module';
import { PromotionsModule } from '../promotions/promotions.module';
import { PurchasesRepository } from './purchases.repository';
import { PurchasesResolver } from './purchases.resolver';
import { PurchasesService } from './purchases.service';

@Module({
  imports: [ProductsModule, PromotionsModule],
  providers: [PurchasesService, PurchasesResolver, PurchasesRepository],
  exports: [PurchasesService],
})
export class PurchasesModule {}
