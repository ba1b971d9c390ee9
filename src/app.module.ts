import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { AdjustmentsModule } from './adjustments/adjustments.module';
import { ApiTokensModule } from './api-tokens/api-tokens.module';
import { AuthGuard } from './common/auth/auth.guard';
import { Authenticator } from './common/auth/authenticator';
import { APP_CONFIG, AppConfig } from './config/config';
import { CustomersModule } from './customers/customers.module';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import { AppGraphqlModule } from './graphql/graphql.module';
import { HealthModule } from './health/health.module';
import { IngestionModule } from './ingestion/ingestion.module';
import { LedgerModule } from './ledger/ledger.module';
import { MetricsModule } from './metrics/metrics.module';
import { ProductsModule } from './products/products.module';
import { PromotionsModule } from './promotions/promotions.module';
import { PurchasesModule } from './purchases/purchases.module';
import { RedemptionsModule } from './redemptions/redemptions.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { RetailersModule } from './retailers/retailers.module';
import { ReturnsModule } from './returns/returns.module';

@Module({})
export class AppModule {
  /** The configuration is validated before the module is built and provided to everything as APP_CONFIG. */
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        { module: ConfigHolderModule, global: true, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] },
        DatabaseModule,
        AppGraphqlModule,
        HealthModule,
        MetricsModule,
        RetailersModule,
        CustomersModule,
        ProductsModule,
        PromotionsModule,
        PurchasesModule,
        IngestionModule.forConfig(config),
        ReturnsModule,
        RedemptionsModule,
        AdjustmentsModule,
        LedgerModule,
        ApiTokensModule,
        AuditModule,
        ReconciliationModule,
        DemoModule,
      ],
      providers: [Authenticator, { provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}

@Module({})
class ConfigHolderModule {}
