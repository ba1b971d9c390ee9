/**
 * What a reconciliation run finds, as plain data: the nine checks, their findings and the run's outcome. No
 * framework, no database; the service fills it, the summary, the CLI's JSON and the GraphQL models read it.
 */

export type CheckId =
  | 'TRANSACTIONS_BALANCE'
  | 'BALANCES_MATCH_ENTRIES'
  | 'BALANCES_SUM_TO_ZERO'
  | 'PURCHASES_MATCH_LEDGER'
  | 'PURCHASES_MATCH_RULES'
  | 'DATABASE_GUARDS'
  | 'RETURNS_MATCH_PURCHASES'
  | 'MOVEMENTS_MATCH_LEDGER'
  | 'NEGATIVE_BALANCES_EXPLAINED';

/** The checks in the order; `number` is what people quote ("check 4 failed"). */
export const CHECKS: ReadonlyArray<{ id: CheckId; number: number; title: string }> = [
  { id: 'TRANSACTIONS_BALANCE', number: 1, title: 'every ledger transaction sums to zero with at least two entries' },
  { id: 'BALANCES_MATCH_ENTRIES', number: 2, title: "every account's materialized balance equals its entries" },
  { id: 'BALANCES_SUM_TO_ZERO', number: 3, title: 'all balances sum to zero' },
  { id: 'PURCHASES_MATCH_LEDGER', number: 4, title: 'every purchase with points has one ledger transaction crediting them' },
  { id: 'PURCHASES_MATCH_RULES', number: 5, title: "every purchase's snapshot matches the points and promotion rules" },
  { id: 'DATABASE_GUARDS', number: 6, title: "the database's own guards are in place" },
  { id: 'RETURNS_MATCH_PURCHASES', number: 7, title: "every return follows its purchase's units and points" },
  {
    id: 'MOVEMENTS_MATCH_LEDGER',
    number: 8,
    title: 'every return, redemption, cancellation and adjustment has the one ledger transaction it implies',
  },
  { id: 'NEGATIVE_BALANCES_EXPLAINED', number: 9, title: "every negative balance is explained by the customer's returns" },
];

export function checkNumber(id: CheckId): number {
  return CHECKS.find((c) => c.id === id)?.number ?? 0;
}

/** At most this many example ids per finding: enough to start a repair, bounded whatever the drift's size. */
export const MAX_EXAMPLES = 100;

export interface FindingExample {
  /** The row involved: a ledger transaction, account, purchase, return, redemption, adjustment id, or a guard's table.name. */
  id: string;
  expected: string | null;
  actual: string | null;
}

/** One kind of drift within a check, e.g. check 4's "missing-transaction". */
export interface Finding {
  check: CheckId;
  kind: string;
  description: string;
  /** How many rows (transactions, accounts, purchases, guards) show it. */
  count: bigint;
  /** The points involved: the sum of |expected - actual| (0 where the drift is not an amount). */
  amount: bigint;
  /** The first MAX_EXAMPLES of them, by id. */
  examples: FindingExample[];
}

export type RunMode = 'full' | 'incremental';
export type RunStatus = 'running' | 'clean' | 'drift' | 'empty' | 'error';

/** Rows each check read: all of them in a full run, those committed since the watermark in an incremental one. */
export interface RunCounts {
  purchases: bigint;
  ledgerTransactions: bigint;
  accounts: bigint;
  guards: bigint;
  /** The lifecycle's rows (checks 7 and 8): in an incremental run, also those whose ledger transaction is in scope. */
  returns: bigint;
  redemptions: bigint;
  cancellations: bigint;
  adjustments: bigint;
}

export interface RunReport {
  id: string;
  startedAt: Date;
  finishedAt: Date | null;
  mode: RunMode;
  modeReason: string;
  sinceRunId: string | null;
  status: RunStatus;
  watermark: string | null;
  counts: RunCounts;
  findings: Finding[];
  error: string | null;
}

/** The drift count that the metrics gauge reports: every row of every finding. */
export function driftCount(findings: readonly Finding[]): bigint {
  return findings.reduce((total, f) => total + f.count, 0n);
}

/** Drift if anything was found; else an empty ledger says so rather than passing for clean. */
export function outcomeOf(findings: readonly Finding[], ledgerIsEmpty: boolean): 'clean' | 'drift' | 'empty' {
  if (findings.length > 0) return 'drift';
  return ledgerIsEmpty ? 'empty' : 'clean';
}

/** Findings in check order, then kind: the order every output shows them in. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => checkNumber(a.check) - checkNumber(b.check) || a.kind.localeCompare(b.kind));
}

/**
 * Accumulates one kind of drift found row by row (check 5 streams purchases): the count and amount of all of
 * them, and the MAX_EXAMPLES smallest ids, in memory bounded whatever the number of rows.
 */
export class FindingCollector {
  private count = 0n;
  private amount = 0n;
  private examples: FindingExample[] = [];

  constructor(
    private readonly check: CheckId,
    private readonly kind: string,
    private readonly description: string,
  ) {}

  add(example: FindingExample, amount = 0n): void {
    this.count += 1n;
    this.amount += amount < 0n ? -amount : amount;
    this.examples.push(example);
    if (this.examples.length >= 2 * MAX_EXAMPLES) this.trim();
  }

  finding(): Finding | null {
    if (this.count === 0n) return null;
    this.trim();
    return {
      check: this.check,
      kind: this.kind,
      description: this.description,
      count: this.count,
      amount: this.amount,
      examples: this.examples,
    };
  }

  private trim(): void {
    this.examples = this.examples.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, MAX_EXAMPLES);
  }
}
