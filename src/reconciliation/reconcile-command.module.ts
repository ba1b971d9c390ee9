import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DatabaseModule } from '../database/database.module';
import { RECONCILIATION_PROVIDERS } from './reconciliation.module';

@Module({})
class CommandConfigModule {}

/**
 * The application as `npm run reconcile` runs it: the database and the reconciliation's providers, without
 * the HTTP server, GraphQL or the purchase path.
 */
@Module({})
export class ReconcileCommandModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: ReconcileCommandModule,
      imports: [
        { module: CommandConfigModule, global: true, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] },
        DatabaseModule,
      ],
      providers: RECONCILIATION_PROVIDERS,
      exports: RECONCILIATION_PROVIDERS,
    };
  }
}
