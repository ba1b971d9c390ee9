import { Module } from '@nestjs/common';
import { ProductsModule } from '../products/products.module';
import { PromotionCatalog } from './promotion-catalog';
import { PromotionsResolver } from './promotions.resolver';
import { PromotionsService } from './promotions.service';

@Module({
  imports: [ProductsModule],
  providers: [PromotionsService, PromotionsResolver, PromotionCatalog],
  exports: [PromotionCatalog, PromotionsService],
})
export class PromotionsModule {}
