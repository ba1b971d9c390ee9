import { Module } from '@nestjs/common';
import { ProductsModule } from '../products/products.module';
import { PromotionsModule } from '../promotions/promotions.module';
import { PurchaseBatchResolver } from './purchase-batch.resolver';
import { PurchaseBatchService } from './purchase-batch.service';
import { PurchaseMetrics } from './purchase.metrics';
import { PurchasesRepository } from './purchases.repository';
import { PurchasesResolver } from './purchases.resolver';
import { PurchasesService } from './purchases.service';

@Module({
  imports: [ProductsModule, PromotionsModule],
  providers: [PurchasesService, PurchasesResolver, PurchasesRepository, PurchaseMetrics, PurchaseBatchService, PurchaseBatchResolver],
  exports: [PurchasesService, PurchaseMetrics, PurchaseBatchService],
})
export class PurchasesModule {}
