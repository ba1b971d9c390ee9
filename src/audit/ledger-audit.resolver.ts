import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Role } from '../common/auth/principal';
import { Roles } from '../common/auth/roles.decorator';
import { BigIntScalar } from '../common/scalars/scalars';
import { LedgerAccountArgs, LedgerTransactionsArgs, TrialBalanceArgs } from './dto/audit.args';
import { LedgerAuditService } from './ledger-audit.service';
import { LedgerAccountConnectionModel, LedgerAccountModel } from './models/ledger-account.model';
import { LedgerTransactionConnectionModel } from './models/ledger-transaction.model';
import { TrialBalanceModel } from './models/trial-balance.model';

@Resolver()
export class LedgerAuditResolver {
  constructor(private readonly audit: LedgerAuditService) {}

  @Query(() => LedgerAccountModel, {
    nullable: true,
    description: 'AUDITOR or ADMIN. A ledger account by code, with its balance now or as of an instant; null when unknown.',
  })
  @Roles(Role.AUDITOR, Role.ADMIN)
  ledgerAccount(@Args() args: LedgerAccountArgs): Promise<LedgerAccountModel | null> {
    return this.audit.account(args);
  }

  @Query(() => LedgerTransactionConnectionModel, {
    description:
      'AUDITOR or ADMIN. Ledger transactions with their entries, filtered, newest or oldest first, with keyset ' +
      'pagination: pass pageInfo.endCursor as `after` with the same filter and order.',
  })
  @Roles(Role.AUDITOR, Role.ADMIN)
  ledgerTransactions(@Args() args: LedgerTransactionsArgs): Promise<LedgerTransactionConnectionModel> {
    return this.audit.transactions(args);
  }

  @Query(() => TrialBalanceModel, {
    description: "AUDITOR or ADMIN. Every account's balance, now or as of an instant, and their total (zero).",
  })
  @Roles(Role.AUDITOR, Role.ADMIN)
  trialBalance(@Args() args: TrialBalanceArgs): TrialBalanceModel {
    return this.audit.trialBalance(args);
  }
}

@Resolver(() => TrialBalanceModel)
export class TrialBalanceResolver {
  constructor(private readonly audit: LedgerAuditService) {}

  @ResolveField(() => BigIntScalar, {
    description: 'The sum of every account balance; computed over all accounts, not only this page.',
  })
  total(@Parent() trialBalance: TrialBalanceModel): Promise<bigint> {
    return this.audit.trialBalanceTotal(trialBalance);
  }

  @ResolveField(() => LedgerAccountConnectionModel, { description: 'A page of accounts in code order.' })
  accounts(@Parent() trialBalance: TrialBalanceModel): Promise<LedgerAccountConnectionModel> {
    return this.audit.trialBalanceAccounts(trialBalance);
  }
}
