import { Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { PurchasesModule } from '../../purchases/purchases.module';
import { SubmissionRefusalsRepository } from '../submission-refusals.repository';
import { IngestionBacklogMetrics } from './ingestion-backlog.metrics';
import { IngestionMetrics } from './ingestion.metrics';
import { JetStreamIngestion } from './jetstream-ingestion';
import { NatsLink } from './nats-link';
import { PurchaseConsumers } from './purchase-consumers';
import { RetailersById } from './retailers-by-id';
import { SubmissionBatchHandler } from './submission-batch.handler';

/**
 * Event mode's parts, shared by the service and `npm run ingest-worker`: the NATS connection (opened, and the
 * streams set up, while the application is created: a failure refuses the start), the publishing side
 * (JetStreamIngestion) and INGEST_CONSUMERS pull loops. The connection closes last, after the loops stopped.
 */
@Module({
  imports: [PurchasesModule],
  providers: [
    { provide: NatsLink, inject: [APP_CONFIG], useFactory: (c: AppConfig) => NatsLink.open(c.ingestion, 'loyalty-ledger') },
    JetStreamIngestion,
    SubmissionRefusalsRepository,
    IngestionMetrics,
    IngestionBacklogMetrics,
    RetailersById,
    SubmissionBatchHandler,
    PurchaseConsumers,
  ],
  exports: [JetStreamIngestion, PurchaseConsumers, NatsLink],
})
export class JetStreamModule implements OnApplicationShutdown {
  constructor(private readonly nats: NatsLink) {}

  async onApplicationShutdown(): Promise<void> {
    await this.nats.close();
  }
}
