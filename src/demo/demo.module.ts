import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { ProductsModule } from '../products/products.module';
import { PromotionsModule } from '../promotions/promotions.module';
import { DemoSeeder } from './demo-seeder';

@Module({ imports: [CustomersModule, ProductsModule, PromotionsModule], providers: [DemoSeeder], exports: [DemoSeeder] })
export class DemoModule {}
