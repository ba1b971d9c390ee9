import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { BigIntScalar, DateTimeScalar } from '../../common/scalars/scalars';
import { checkNumber, CheckId, driftCount, Finding, RunReport } from '../reconciliation-report';

export enum ReconciliationCheck {
  TRANSACTIONS_BALANCE = 'TRANSACTIONS_BALANCE',
  BALANCES_MATCH_ENTRIES = 'BALANCES_MATCH_ENTRIES',
  BALANCES_SUM_TO_ZERO = 'BALANCES_SUM_TO_ZERO',
  PURCHASES_MATCH_LEDGER = 'PURCHASES_MATCH_LEDGER',
  PURCHASES_MATCH_RULES = 'PURCHASES_MATCH_RULES',
  DATABASE_GUARDS = 'DATABASE_GUARDS',
  RETURNS_MATCH_PURCHASES = 'RETURNS_MATCH_PURCHASES',
  MOVEMENTS_MATCH_LEDGER = 'MOVEMENTS_MATCH_LEDGER',
  NEGATIVE_BALANCES_EXPLAINED = 'NEGATIVE_BALANCES_EXPLAINED',
}
registerEnumType(ReconciliationCheck, { name: 'ReconciliationCheck', description: 'The checks, 1 to 9 (docs/reconciliation.md).' });

/** The values are the database's reconciliation_runs.mode and .status. */
export enum ReconciliationMode {
  FULL = 'full',
  INCREMENTAL = 'incremental',
}
registerEnumType(ReconciliationMode, { name: 'ReconciliationMode' });

export enum ReconciliationStatus {
  RUNNING = 'running',
  CLEAN = 'clean',
  DRIFT = 'drift',
  EMPTY = 'empty',
  ERROR = 'error',
}
registerEnumType(ReconciliationStatus, {
  name: 'ReconciliationStatus',
  description: 'EMPTY: nothing to reconcile (no purchases, ledger transactions or entries). ERROR: the checks could not run.',
});

@ObjectType('ReconciliationExample')
export class ReconciliationExampleModel {
  @Field(() => ID, {
    description:
      "The row involved: a ledger transaction's, account's, purchase's, return's, redemption's or adjustment's id, " +
      "a customer's id (check 9), or a guard's table.name.",
  })
  id!: string;

  @Field(() => String, { nullable: true })
  expected!: string | null;

  @Field(() => String, { nullable: true })
  actual!: string | null;
}

@ObjectType('ReconciliationFinding')
export class ReconciliationFindingModel {
  @Field(() => ReconciliationCheck)
  check!: CheckId;

  @Field(() => Int, { description: 'The check as docs/reconciliation.md numbers it.' })
  checkNumber!: number;

  @Field({ description: 'The kind of drift within the check, e.g. missing-transaction.' })
  kind!: string;

  @Field()
  description!: string;

  @Field(() => BigIntScalar, { description: 'Rows that show this drift.' })
  count!: bigint;

  @Field(() => BigIntScalar, { description: 'Points involved: the sum of |expected - actual|; 0 when not an amount.' })
  amount!: bigint;

  @Field(() => [ReconciliationExampleModel], { description: 'The first 100 of them, by id.' })
  examples!: ReconciliationExampleModel[];
}

@ObjectType('ReconciliationCounts', { description: 'Rows read: all in a full run, those committed since the watermark in an incremental one.' })
export class ReconciliationCountsModel {
  @Field(() => BigIntScalar)
  purchases!: bigint;

  @Field(() => BigIntScalar)
  ledgerTransactions!: bigint;

  @Field(() => BigIntScalar)
  accounts!: bigint;

  @Field(() => BigIntScalar)
  guards!: bigint;

  @Field(() => BigIntScalar, { description: 'Purchase returns (checks 7 and 8).' })
  returns!: bigint;

  @Field(() => BigIntScalar, { description: 'Redemptions (check 8).' })
  redemptions!: bigint;

  @Field(() => BigIntScalar, { description: 'Redemption cancellations (check 8).' })
  cancellations!: bigint;

  @Field(() => BigIntScalar, { description: 'Points adjustments (check 8).' })
  adjustments!: bigint;
}

@ObjectType('ReconciliationRun')
export class ReconciliationRunModel {
  @Field(() => ID)
  id!: string;

  @Field(() => DateTimeScalar)
  startedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => ReconciliationMode)
  mode!: ReconciliationMode;

  @Field({ description: 'Why this mode: asked for, or why the run could not be incremental.' })
  modeReason!: string;

  @Field(() => ID, { nullable: true, description: "The clean run whose watermark an incremental run continued from." })
  sinceRunId!: string | null;

  @Field(() => ReconciliationStatus)
  status!: ReconciliationStatus;

  @Field(() => String, { nullable: true, description: 'The database snapshot the checks read (pg_snapshot text).' })
  watermark!: string | null;

  @Field(() => BigIntScalar, { description: 'Rows of all findings together: what the metrics gauge reports.' })
  driftCount!: bigint;

  @Field(() => ReconciliationCountsModel)
  counts!: ReconciliationCountsModel;

  @Field(() => [ReconciliationFindingModel], { description: 'Empty unless status is DRIFT.' })
  findings!: ReconciliationFindingModel[];

  @Field(() => String, { nullable: true, description: 'Why the checks could not run (status ERROR).' })
  error!: string | null;
}

function toFinding(f: Finding): ReconciliationFindingModel {
  return { ...f, checkNumber: checkNumber(f.check) };
}

export function toRunModel(report: RunReport): ReconciliationRunModel {
  return {
    ...report,
    mode: report.mode as ReconciliationMode,
    status: report.status as ReconciliationStatus,
    driftCount: driftCount(report.findings),
    findings: report.findings.map(toFinding),
  };
}
