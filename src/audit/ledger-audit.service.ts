import { Injectable } from '@nestjs/common';
import { badInput, notFound } from '../common/errors/domain-error';
import { Instant } from '../common/time/instant';
import { LedgerRepository } from '../ledger/ledger.repository';
import { CursorPosition, decodeCursor, encodeCursor, queryFingerprint } from './cursor';
import { LedgerAccountArgs, LedgerOrder, LedgerTransactionsArgs, TrialBalanceArgs } from './dto/audit.args';
import { LedgerBalancesRepository } from './ledger-balances.repository';
import { HistoryReferences, LedgerHistoryRepository } from './ledger-history.repository';
import { LedgerAccountConnectionModel, LedgerAccountModel } from './models/ledger-account.model';
import { LedgerTransactionConnectionModel } from './models/ledger-transaction.model';
import { TrialBalanceModel } from './models/trial-balance.model';

/**
 * Account codes are lower case by construction ('customer:' and a uuid's text); a pasted upper-case uuid still finds
 * its account. Whitespace is not trimmed here: the edge refuses a code with whitespace at either end.
 */
const normalizeCode = (code: string) => code.toLowerCase();
const micros = (instant: Instant | null | undefined) => instant?.epochMicros ?? null;
/** A reference filter's uuid, validated at the edge; lower case so that a cursor does not depend on its spelling. */
const normalizeId = (id: string | null | undefined) => id?.toLowerCase() ?? null;

/**
 * The auditors' read side of the ledger: balances now and as of an instant, the transactions' history with keyset
 * pagination, the trial balance. "When" is always when a transaction entered the ledger (recorded_at); see
 * docs/audit-api.md.
 */
@Injectable()
export class LedgerAuditService {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly balances: LedgerBalancesRepository,
    private readonly history: LedgerHistoryRepository,
  ) {}

  async account(args: LedgerAccountArgs): Promise<LedgerAccountModel | null> {
    const account = await this.balances.findAccount(normalizeCode(args.code));
    if (!account) return null;
    const asOf = args.asOf ?? null;
    const balance = asOf === null ? await this.ledger.balanceOf(account.id) : await this.balances.balanceAsOf(account.id, asOf);
    return { ...account, balance, asOf };
  }

  async transactions(args: LedgerTransactionsArgs): Promise<LedgerTransactionConnectionModel> {
    const filter = args.filter ?? {};
    const from = filter.from ?? null;
    const to = filter.to ?? null;
    if (from !== null && to !== null && to.epochMicros < from.epochMicros) {
      throw badInput('filter.to must not be before filter.from');
    }
    const accountCode = filter.accountCode ? normalizeCode(filter.accountCode) : null;
    const references: HistoryReferences = {
      purchaseId: normalizeId(filter.purchaseId),
      returnId: normalizeId(filter.returnId),
      redemptionId: normalizeId(filter.redemptionId),
      adjustmentId: normalizeId(filter.adjustmentId),
    };
    const fingerprint = queryFingerprint({
      query: 'ledgerTransactions',
      accountCode,
      kind: filter.kind,
      from: micros(from),
      to: micros(to),
      order: args.order,
      ...references,
    });
    const after = this.position(args.after, fingerprint, accountCode !== null ? 'entry' : 'transaction');
    let accountId: string | null = null;
    if (accountCode !== null) {
      const account = await this.balances.findAccount(accountCode);
      if (!account) throw notFound(`No ledger account has the code ${accountCode}`);
      accountId = account.id;
    }

    const rows = await this.history.page({
      accountId,
      references,
      kind: filter.kind ?? null,
      from,
      to,
      newestFirst: args.order === LedgerOrder.NEWEST_FIRST,
      after,
      limit: args.first + 1,
    });
    const page = rows.slice(0, args.first);
    const edges = page.map((row) => ({ cursor: encodeCursor(row.position, fingerprint), node: row.node }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > args.first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  /** Validates the arguments now, so that a bad cursor is refused whichever fields the client selected. */
  trialBalance(args: TrialBalanceArgs): TrialBalanceModel {
    const asOf = args.asOf ?? null;
    const fingerprint = queryFingerprint({ query: 'trialBalance', asOf: micros(asOf) });
    const after = this.position(args.after, fingerprint, 'account') as Extract<CursorPosition, { kind: 'account' }> | null;
    return { asOf, first: args.first, after, fingerprint };
  }

  trialBalanceTotal(trialBalance: TrialBalanceModel): Promise<bigint> {
    return this.balances.total(trialBalance.asOf);
  }

  async trialBalanceAccounts(trialBalance: TrialBalanceModel): Promise<LedgerAccountConnectionModel> {
    const { asOf, first, after, fingerprint } = trialBalance;
    const rows = await this.balances.accountsPage(after?.code ?? null, first + 1, asOf);
    const edges = rows.slice(0, first).map((row) => ({
      cursor: encodeCursor({ kind: 'account', code: row.code }, fingerprint),
      node: { ...row, asOf },
    }));
    return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  private position(
    cursor: string | null | undefined,
    fingerprint: string,
    expected: CursorPosition['kind'],
  ): CursorPosition | null {
    if (cursor === null || cursor === undefined) return null;
    const decoded = decodeCursor(cursor, fingerprint, expected);
    if (decoded.ok) return decoded.position;
    throw badInput(
      decoded.reason === 'other-query'
        ? 'after is a cursor of another query: keep the same filter, order and asOf while paging, or start again without after'
        : 'after is not a cursor of this query',
    );
  }
}
