import { Injectable, Logger } from '@nestjs/common';
import { PoolClient } from 'pg';
import { GUARD_COUNT, checkGuards } from './database-guards';
import { checkPurchaseRules, RetailerPlace, RULE_DRIFT_DESCRIPTIONS, RuleDriftKind, RulesCatalog } from './purchase-rules-check';
import { driftCount, Finding, FindingCollector, outcomeOf, RunCounts, RunReport, sortFindings } from './reconciliation-report';
import { ReadSession, ReconciliationRepository } from './reconciliation.repository';
import { Scope } from './reconciliation.sql';
import { ReconciliationRunsRepository } from './reconciliation-runs.repository';
import { planRun } from './run-plan';

/** Another run holds the lock: two runs at once would only double the load and race on the watermark. */
export class ReconciliationBusyError extends Error {
  constructor() {
    super('another reconciliation run is in progress');
    this.name = 'ReconciliationBusyError';
  }
}

interface Checked {
  findings: Finding[];
  counts: RunCounts;
  empty: boolean;
}

/**
 * Runs the nine checks over one consistent snapshot and records the run. Checks 1-4 and 7-9 are set-based SQL
 * (the repository); check 5 streams purchases through the same pure rules the purchase path uses; check 6 reads
 * the catalog. Four connections share the snapshot, so the database's aggregates and check 5's rule evaluation
 * run side by side.
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    private readonly repository: ReconciliationRepository,
    private readonly runs: ReconciliationRunsRepository,
  ) {}

  /** A run whose checks failed to run is recorded and returned with status 'error'; nothing here retries. */
  async run(options: { full?: boolean } = {}): Promise<RunReport> {
    const lock = await this.runs.lock();
    if (!lock) throw new ReconciliationBusyError();
    try {
      await this.runs.abandonUnfinished();
      const plan = planRun(await this.runs.previous(), options.full ?? false);
      const run = await this.runs.start(plan.mode, plan.reason, plan.since?.id ?? null);
      this.logger.log(`reconciliation run ${run.id} started: ${plan.mode} (${plan.reason})`);
      const scope: Scope = plan.since
        ? { kind: 'incremental', watermark: plan.since.watermark, lastEntryId: plan.since.lastEntryId }
        : { kind: 'full' };
      let session: ReadSession | null = null;
      try {
        session = await this.repository.openSession();
        const checked = await this.check(session, scope);
        const findings = sortFindings(checked.findings);
        const report = await this.runs.finish(run.id, {
          status: outcomeOf(findings, checked.empty),
          watermark: session.watermark,
          lastEntryId: session.lastEntryId,
          counts: checked.counts,
          findings,
          error: null,
        });
        this.logger.log(`reconciliation run ${run.id}: ${report.status}, drift count ${driftCount(findings)}`);
        return report;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.error(`reconciliation run ${run.id} failed: ${message}`);
        return this.runs.finish(run.id, {
          status: 'error',
          watermark: session?.watermark ?? null,
          lastEntryId: session?.lastEntryId ?? null,
          counts: null,
          findings: [],
          error: message,
        });
      } finally {
        await session?.close();
      }
    } finally {
      await this.runs.unlock(lock);
    }
  }

  listRuns(first: number): Promise<RunReport[]> {
    return this.runs.list(first);
  }

  findRun(id: string): Promise<RunReport | null> {
    return this.runs.find(id);
  }

  private async check(session: ReadSession, scope: Scope): Promise<Checked> {
    const forks = [await session.fork(), await session.fork(), await session.fork()];
    const [rules, ledger, rest, lifecycle] = await Promise.all([
      this.purchaseRules(session.main, scope),
      this.ledgerChecks(forks[0], scope),
      this.otherChecks(forks[1], scope),
      this.lifecycleChecks(forks[2], scope),
    ]);
    return {
      findings: [...rules.findings, ...ledger, ...rest.findings, ...lifecycle],
      counts: { ...rest.counts, purchases: rules.checked },
      empty: rest.empty,
    };
  }

  /** Checks 7, 8 and 9: returns against their purchases, the movements against the ledger, negative balances. */
  private async lifecycleChecks(db: PoolClient, scope: Scope): Promise<Finding[]> {
    return [
      ...(await this.repository.returnsMatchPurchases(db, scope)),
      ...(await this.repository.movementsMatchLedger(db, scope)),
      ...(await this.repository.negativeBalancesExplained(db, scope)),
    ];
  }

  /** Checks 1 and 2; in an incremental run also the sum of every entry outside its scope. */
  private async ledgerChecks(db: PoolClient, scope: Scope): Promise<Finding[]> {
    const findings = [
      ...(await this.repository.transactionsBalance(db, scope)),
      ...(await this.repository.balancesMatchEntries(db, scope)),
    ];
    if (scope.kind === 'incremental') {
      const outside = await this.repository.entriesOutsideScopeTotal(db, scope);
      if (outside !== 0n) {
        findings.push(
          globalFinding('TRANSACTIONS_BALANCE', 'changed-before-watermark', outside, 'ledger entries before the watermark',
            'entries committed before the watermark no longer sum to zero: a full run names the transactions'),
        );
      }
    }
    return findings;
  }

  /** Checks 3, 4 and 6, and what the run read (check 5 counts the purchases it streamed). */
  private async otherChecks(db: PoolClient, scope: Scope): Promise<Checked> {
    const findings = await this.repository.purchasesMatchLedger(db, scope);
    const total = await this.repository.balanceTotal(db);
    if (total !== 0n) {
      findings.push(
        globalFinding('BALANCES_SUM_TO_ZERO', 'nonzero-total', total, 'all accounts', 'the balances of all accounts do not sum to zero'),
      );
    }
    const catalog = await this.repository.guards(db);
    findings.push(...checkGuards(catalog.triggers, catalog.constraints, catalog.indexes));
    const { transactions, ...counts } = await this.repository.counts(db, scope);
    return {
      findings,
      counts: { ...counts, ledgerTransactions: transactions, guards: GUARD_COUNT },
      empty: await this.repository.ledgerIsEmpty(db),
    };
  }

  /** Check 5, streamed: a page of purchases at a time, retailers looked up once, promotions read once. */
  private async purchaseRules(db: PoolClient, scope: Scope): Promise<{ findings: Finding[]; checked: bigint }> {
    const catalog = new RulesCatalog(await this.repository.promotionVersions(db));
    const collectors = new Map<RuleDriftKind | 'unknown-retailer', FindingCollector>();
    const collector = (kind: RuleDriftKind | 'unknown-retailer') => {
      let c = collectors.get(kind);
      if (!c) {
        const description = kind === 'unknown-retailer' ? "the purchase's retailer does not exist" : RULE_DRIFT_DESCRIPTIONS[kind];
        c = new FindingCollector('PURCHASES_MATCH_RULES', kind, description);
        collectors.set(kind, c);
      }
      return c;
    };
    const retailers = new Map<string, RetailerPlace | null>();
    let checked = 0n;
    for await (const page of this.repository.purchaseSnapshots(db, scope)) {
      const unseen = [...new Set(page.map((p) => p.retailerId))].filter((id) => !retailers.has(id));
      if (unseen.length > 0) {
        const found = await this.repository.retailers(db, unseen);
        for (const id of unseen) retailers.set(id, found.get(id) ?? null);
      }
      for (const p of page) {
        checked += 1n;
        const place = retailers.get(p.retailerId);
        if (!place) {
          collector('unknown-retailer').add({ id: p.id, expected: 'an existing retailer', actual: p.retailerId });
          continue;
        }
        for (const d of checkPurchaseRules(p, place, catalog)) {
          collector(d.kind).add({ id: p.id, expected: d.expected, actual: d.actual }, d.amount);
        }
      }
    }
    const findings = [...collectors.values()].map((c) => c.finding()).filter((f): f is Finding => f !== null);
    return { findings, checked };
  }
}

function globalFinding(check: Finding['check'], kind: string, total: bigint, id: string, description: string): Finding {
  return {
    check,
    kind,
    description,
    count: 1n,
    amount: total < 0n ? -total : total,
    examples: [{ id, expected: '0', actual: total.toString() }],
  };
}
