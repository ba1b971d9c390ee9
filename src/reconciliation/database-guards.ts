import { Finding, FindingCollector } from './reconciliation-report';

/**
 * Check 6: the guards that the migrations put on the ledger, as the catalog must show them.
 * Every other check trusts them for what it does not read (an incremental run reads only new rows), so a
 * guard that a migration or a manual fix dropped or disabled is drift in its own right. A trigger left enabled
 * but bypassed by one session (session_replication_role = replica) leaves no trace here: its effects do.
 */

interface GuardTrigger {
  table: string;
  name: string;
  /** The function it must call: a trigger pointed at another function is as good as gone. */
  fn: string;
}

const appendOnly = (table: string): GuardTrigger[] => [
  { table, name: `${table}_append_only`, fn: 'refuse_change' },
  { table, name: `${table}_no_truncate`, fn: 'refuse_change' },
];

export const GUARD_TRIGGERS: readonly GuardTrigger[] = [
  ...appendOnly('purchases'),
  ...appendOnly('promotions'),
  { table: 'promotions', name: 'promotions_revision_check', fn: 'check_promotion_revision' },
  ...appendOnly('accounts'),
  ...appendOnly('ledger_transactions'),
  { table: 'ledger_transactions', name: 'ledger_transactions_have_entries', fn: 'check_ledger_transaction_has_entries' },
  ...appendOnly('ledger_entries'),
  // The balance check: every touched transaction sums to zero with two or more entries, then balances move.
  { table: 'ledger_entries', name: 'ledger_entries_post', fn: 'post_ledger_entries' },
  { table: 'account_balances', name: 'account_balances_derived_only', fn: 'refuse_direct_balance_write' },
  { table: 'account_balances', name: 'account_balances_no_truncate', fn: 'refuse_change' },
  // 0008: references checked per statement instead of foreign keys, and the referenced rows kept.
  { table: 'purchases', name: 'purchases_references', fn: 'check_purchase_references' },
  { table: 'ledger_transactions', name: 'ledger_transactions_references', fn: 'check_ledger_transaction_references' },
  { table: 'ledger_entries', name: 'ledger_entries_references', fn: 'check_ledger_entry_references' },
  ...['customers', 'retailers', 'products'].flatMap((table) => [
    { table, name: `${table}_rows_kept`, fn: 'refuse_key_change' },
    { table, name: `${table}_no_truncate`, fn: 'refuse_key_change' },
  ]),
  // 0010, the points lifecycle: its four tables append-only; a return's purchase, units and points checked per
  // statement; references checked per statement; no redemption or debit adjustment leaves a balance below zero.
  ...appendOnly('purchase_returns'),
  { table: 'purchase_returns', name: 'purchase_returns_checks', fn: 'check_purchase_returns' },
  ...appendOnly('redemptions'),
  { table: 'redemptions', name: 'redemptions_references', fn: 'check_redemption_references' },
  { table: 'redemptions', name: 'redemptions_balance_not_negative', fn: 'check_balance_not_negative' },
  ...appendOnly('redemption_cancellations'),
  { table: 'redemption_cancellations', name: 'redemption_cancellations_references', fn: 'check_cancellation_references' },
  ...appendOnly('points_adjustments'),
  { table: 'points_adjustments', name: 'points_adjustments_references', fn: 'check_redemption_references' },
  { table: 'points_adjustments', name: 'points_adjustments_balance_not_negative', fn: 'check_balance_not_negative' },
];

/** Constraints the checks rely on (names as PostgreSQL gave them to the migrations' definitions). */
export const GUARD_CONSTRAINTS: ReadonlyArray<{ table: string; name: string }> = [
  ...[
    'purchases_points_formula',
    'purchases_total',
    'purchases_snapshot',
    'purchases_idempotency_key',
    'purchases_points_earned_check',
    'purchases_promotion_catalog_seq_check',
  ].map((name) => ({ table: 'purchases', name })),
  ...[
    // 0016: the key derived from each kind's reference, which its own unique index keeps unique (decision 0019).
    'ledger_transactions_key_derived',
    'ledger_transactions_purchase_id_key',
    'ledger_transactions_check',
  ].map((name) => ({ table: 'ledger_transactions', name })),
  { table: 'ledger_entries', name: 'ledger_entries_amount_check' },
  { table: 'account_balances', name: 'account_balances_account_id_fkey' },
  { table: 'account_balances', name: 'account_balances_pkey' },
  // 0010: which kinds exist and the reference each carries; the movements' idempotency keys; one return per
  // (purchase, units before) and one cancellation per redemption; the bounds of units and points.
  ...['ledger_transactions_kind_check', 'ledger_transactions_movement_reference'].map((name) => ({ table: 'ledger_transactions', name })),
  ...[
    'purchase_returns_idempotency_key',
    'purchase_returns_sequence',
    'purchase_returns_units',
    'purchase_returns_quantity_check',
    'purchase_returns_units_returned_before_check',
    'purchase_returns_points_reversed_check',
  ].map((name) => ({ table: 'purchase_returns', name })),
  ...['redemptions_idempotency_key', 'redemptions_points_check'].map((name) => ({ table: 'redemptions', name })),
  { table: 'redemption_cancellations', name: 'redemption_cancellations_pkey' },
  ...['points_adjustments_idempotency_key', 'points_adjustments_points_check'].map((name) => ({ table: 'points_adjustments', name })),
];

/**
 * Unique indexes that are not constraints (they are partial): each lifecycle row has at most one ledger
 * transaction of its kind, and no two corrections share a key. Check 8 finds a duplicate after the fact; these
 * keep one from being written.
 */
export const GUARD_INDEXES: ReadonlyArray<{ table: string; name: string }> = [
  'ledger_transactions_return_idx',
  'ledger_transactions_redemption_idx',
  'ledger_transactions_adjustment_idx',
  // 0016: corrections' keys, the one kind whose key is not derived from a reference.
  'ledger_transactions_correction_key_idx',
].map((name) => ({ table: 'ledger_transactions', name }));

/** What the catalog holds for a trigger; `enabled` is pg_trigger.tgenabled ('O' or 'A' fire in normal sessions). */
export interface CatalogTrigger {
  table: string;
  name: string;
  fn: string;
  enabled: string;
}

/** A constraint as the catalog holds it; `enforced`: validated, and its internal triggers (foreign keys) enabled. */
export interface CatalogConstraint {
  table: string;
  name: string;
  enforced: boolean;
}

/** An index as the catalog holds it; `enforced`: unique, valid and ready (not a failed concurrent build). */
export interface CatalogIndex {
  table: string;
  name: string;
  enforced: boolean;
}

const FIRES = new Set(['O', 'A']);

export function checkGuards(
  triggers: readonly CatalogTrigger[],
  constraints: readonly CatalogConstraint[],
  indexes: readonly CatalogIndex[],
): Finding[] {
  const missingTrigger = new FindingCollector('DATABASE_GUARDS', 'trigger-missing', 'a guard trigger is missing');
  const disabledTrigger = new FindingCollector(
    'DATABASE_GUARDS',
    'trigger-disabled',
    'a guard trigger is disabled or calls another function',
  );
  const missingConstraint = new FindingCollector('DATABASE_GUARDS', 'constraint-missing', 'a guard constraint is missing');
  const unenforced = new FindingCollector(
    'DATABASE_GUARDS',
    'constraint-not-enforced',
    'a guard constraint is not validated or its triggers are disabled',
  );

  for (const expected of GUARD_TRIGGERS) {
    const id = `${expected.table}.${expected.name}`;
    const actual = triggers.find((t) => t.table === expected.table && t.name === expected.name);
    if (!actual) missingTrigger.add({ id, expected: `calls ${expected.fn}()`, actual: null });
    else if (!FIRES.has(actual.enabled) || actual.fn !== expected.fn) {
      disabledTrigger.add({
        id,
        expected: `enabled, calls ${expected.fn}()`,
        actual: `${FIRES.has(actual.enabled) ? 'enabled' : `disabled (${actual.enabled})`}, calls ${actual.fn}()`,
      });
    }
  }
  for (const expected of GUARD_CONSTRAINTS) {
    const id = `${expected.table}.${expected.name}`;
    const actual = constraints.find((c) => c.table === expected.table && c.name === expected.name);
    if (!actual) missingConstraint.add({ id, expected: 'present', actual: null });
    else if (!actual.enforced) unenforced.add({ id, expected: 'enforced', actual: 'not enforced' });
  }
  const missingIndex = new FindingCollector('DATABASE_GUARDS', 'index-missing', 'a guard unique index is missing');
  const weakIndex = new FindingCollector(
    'DATABASE_GUARDS',
    'index-not-enforced',
    'a guard index is not unique, or not valid (a failed concurrent build)',
  );
  for (const expected of GUARD_INDEXES) {
    const id = `${expected.table}.${expected.name}`;
    const actual = indexes.find((i) => i.table === expected.table && i.name === expected.name);
    if (!actual) missingIndex.add({ id, expected: 'a unique index', actual: null });
    else if (!actual.enforced) weakIndex.add({ id, expected: 'unique and valid', actual: 'not enforced' });
  }
  return [missingTrigger, disabledTrigger, missingConstraint, unenforced, missingIndex, weakIndex]
    .map((c) => c.finding())
    .filter((f): f is Finding => f !== null);
}

export const GUARD_COUNT = BigInt(GUARD_TRIGGERS.length + GUARD_CONSTRAINTS.length + GUARD_INDEXES.length);
