import { DynamicModule, Inject, Injectable, Module } from '@nestjs/common';
import { Pool } from 'pg';
import { RetailerIdentity } from '../../common/auth/principal';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { DatabaseModule, SQL_POOL } from '../../database/database.module';
import { MetricsModule } from '../../metrics/metrics.module';
import { PurchasesModule } from '../../purchases/purchases.module';
import { RetailersModule } from '../../retailers/retailers.module';

/** The retailer a file is imported for: its region and time zone decide which promotions apply. */
@Injectable()
export class ImportRetailers {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  async find(id: string): Promise<RetailerIdentity | null> {
    const { rows } = await this.pool.query<RetailerIdentity>({
      text: 'select id, name, region, timezone from retailers where id = $1',
      values: [id],
    });
    return rows[0] ?? null;
  }
}

@Module({})
class ImportConfigModule {}

/**
 * The application as `npm run import` runs it: the purchase path's own modules (the batch service, the product
 * and promotion catalogs, the repository and its metrics) on the database, without the HTTP server or GraphQL.
 */
@Module({})
export class ImportCommandModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: ImportCommandModule,
      imports: [
        { module: ImportConfigModule, global: true, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] },
        DatabaseModule,
        MetricsModule,
        RetailersModule,
        PurchasesModule,
      ],
      providers: [ImportRetailers],
    };
  }
}
