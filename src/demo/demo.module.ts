import { Module } from '@nestjs/common';
import { AdjustmentsModule } from '../adjustments/adjustments.module';
import { CustomersModule } from '../customers/customers.module';
import { ProductsModule } from '../products/products.module';
import { PromotionsModule } from '../promotions/promotions.module';
import { PurchasesModule } from '../purchases/purchases.module';
import { RedemptionsModule } from '../redemptions/redemptions.module';
import { ReturnsModule } from '../returns/returns.module';
import { DemoActivitySeeder } from './demo-activity';
import { DemoSeeder } from './demo-seeder';

@Module({
  imports: [CustomersModule, ProductsModule, PromotionsModule, PurchasesModule, ReturnsModule, RedemptionsModule, AdjustmentsModule],
  providers: [DemoSeeder, DemoActivitySeeder],
  exports: [DemoSeeder],
})
export class DemoModule {}
