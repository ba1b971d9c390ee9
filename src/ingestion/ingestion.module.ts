import { Module } from '@nestjs/common';
import { PurchasesModule } from '../purchases/purchases.module';
import { DirectIngestion } from './direct-ingestion';
import { IngestionResolver } from './ingestion.resolver';
import { PURCHASE_INGESTION } from './purchase-ingestion';

/** submitPurchase and purchaseSubmission; the direct mode is the only one so far (an event mode binds the token). */
@Module({
  imports: [PurchasesModule],
  providers: [IngestionResolver, { provide: PURCHASE_INGESTION, useClass: DirectIngestion }],
})
export class IngestionModule {}
