import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { LedgerAuditResolver, TrialBalanceResolver } from './ledger-audit.resolver';
import { LedgerAuditService } from './ledger-audit.service';
import { LedgerBalancesRepository } from './ledger-balances.repository';
import { LedgerHistoryRepository } from './ledger-history.repository';

/** The auditors' read side of the ledger (queries for the AUDITOR and ADMIN roles). */
@Module({
  imports: [LedgerModule],
  providers: [LedgerAuditResolver, TrialBalanceResolver, LedgerAuditService, LedgerBalancesRepository, LedgerHistoryRepository],
})
export class AuditModule {}
