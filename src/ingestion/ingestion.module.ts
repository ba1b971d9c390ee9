import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { PurchasesModule } from '../purchases/purchases.module';
import { DirectIngestion } from './direct-ingestion';
import { IngestionResolver } from './ingestion.resolver';
import { JetStreamIngestion } from './jetstream/jetstream-ingestion';
import { JetStreamModule } from './jetstream/jetstream.module';
import { PURCHASE_INGESTION } from './purchase-ingestion';

/**
 * submitPurchase and purchaseSubmission, in the mode INGESTION_MODE names: direct (recorded before the answer,
 * no NATS needed) or jetstream (stored in the stream, recorded by the pull loops of JetStreamModule).
 */
@Module({})
export class IngestionModule {
  static forConfig(config: AppConfig): DynamicModule {
    if (config.ingestion.mode === 'jetstream') {
      return {
        module: IngestionModule,
        imports: [JetStreamModule],
        providers: [IngestionResolver, { provide: PURCHASE_INGESTION, useExisting: JetStreamIngestion }],
      };
    }
    return {
      module: IngestionModule,
      imports: [PurchasesModule],
      providers: [IngestionResolver, { provide: PURCHASE_INGESTION, useClass: DirectIngestion }],
    };
  }
}
