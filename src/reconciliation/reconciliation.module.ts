import { Module } from '@nestjs/common';
import { ReconciliationMetrics } from './reconciliation.metrics';
import { ReconciliationRepository } from './reconciliation.repository';
import { ReconciliationResolver } from './reconciliation.resolver';
import { ReconciliationService } from './reconciliation.service';
import { ReconciliationRunsRepository } from './reconciliation-runs.repository';

/** The checks and their run records; `npm run reconcile` uses the same providers (reconcile-command.module.ts). */
export const RECONCILIATION_PROVIDERS = [ReconciliationRepository, ReconciliationRunsRepository, ReconciliationService];

@Module({
  providers: [...RECONCILIATION_PROVIDERS, ReconciliationResolver, ReconciliationMetrics],
  exports: [ReconciliationService],
})
export class ReconciliationModule {}
