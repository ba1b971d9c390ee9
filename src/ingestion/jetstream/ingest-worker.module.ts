import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { DatabaseModule } from '../../database/database.module';
import { MetricsModule } from '../../metrics/metrics.module';
import { PurchasesModule } from '../../purchases/purchases.module';
import { RetailersModule } from '../../retailers/retailers.module';
import { JetStreamModule } from './jetstream.module';

@Module({})
class WorkerConfigModule {}

/**
 * The application as `npm run ingest-worker` runs it: the database, the purchase path (batch service, catalogs,
 * repository) and event mode's consumer loops, without the HTTP server or GraphQL.
 */
@Module({})
export class IngestWorkerModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: IngestWorkerModule,
      imports: [
        { module: WorkerConfigModule, global: true, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] },
        DatabaseModule,
        MetricsModule,
        // The promotions' service (under the purchase path's catalog) needs it.
        RetailersModule,
        PurchasesModule,
        JetStreamModule,
      ],
    };
  }
}
