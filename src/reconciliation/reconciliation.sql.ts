import { MAX_EXAMPLES } from './reconciliation-report';

/**
 * The reconciliation's SQL, for ReconciliationRepository alone: checks 1-4 as one set-based query each, in a
 * full and an incremental form (checks 7-9, the points lifecycle's, are in lifecycle-checks.sql.ts). Every check query returns one row per kind of drift: its count, its amount and
 * the first MAX_EXAMPLES ids (by id), never the whole list.
 *
 * Incremental queries take $1 = the previous clean run's watermark (a pg_snapshot) and $2 = the highest ledger
 * entry id that snapshot held, and read only what committed after it (see migrations/0003_reconciliation.sql).
 */

export type Scope = { kind: 'full' } | { kind: 'incremental'; watermark: string; lastEntryId: bigint };

const COMMITTED_AFTER_WATERMARK =
  'committed_xid >= pg_snapshot_xmin($1::pg_snapshot) and not pg_visible_in_snapshot(committed_xid, $1::pg_snapshot)';

/**
 * What an incremental run reads: ledger transactions committed after the watermark, and older ones given an
 * entry since (entries have no committed_xid; a later entry has a higher id than any the watermark held); the
 * purchases committed after it or whose transaction is in scope; the accounts those transactions' entries
 * touch; likewise the returns, redemptions, cancellations (by redemption id) and adjustments. `found` is false
 * for an id that entries reference but no ledger transaction has. A query names the CTEs it needs; PostgreSQL
 * does not evaluate the others.
 */
const SCOPE_CTES = `
  new_transactions as (
    select id, kind, purchase_id, return_id, redemption_id, adjustment_id
      from ledger_transactions where ${COMMITTED_AFTER_WATERMARK}
  ), late_transactions as (
    select transaction_id as id from ledger_entries where id > $2::bigint
    except
    select id from new_transactions
  ), scope_transactions as (
    select id, kind, purchase_id, return_id, redemption_id, adjustment_id, true as found from new_transactions
    union all
    select l.id, t.kind, t.purchase_id, t.return_id, t.redemption_id, t.adjustment_id, t.id is not null
      from late_transactions l left join ledger_transactions t on t.id = l.id
  ), scope_purchases as (
    select id from purchases where ${COMMITTED_AFTER_WATERMARK}
    union
    select purchase_id from scope_transactions where purchase_id is not null
  ), scope_accounts as (
    select distinct account_id from ledger_entries where transaction_id in (select id from scope_transactions)
  ), scope_returns as (
    select id from purchase_returns where ${COMMITTED_AFTER_WATERMARK}
    union
    select return_id from scope_transactions where return_id is not null
  ), scope_redemptions as (
    select id from redemptions where ${COMMITTED_AFTER_WATERMARK}
    union
    select redemption_id from scope_transactions where kind = 'redemption'
  ), scope_cancellations as (
    select redemption_id as id from redemption_cancellations where ${COMMITTED_AFTER_WATERMARK}
    union
    select redemption_id from scope_transactions where kind = 'cancellation'
  ), scope_adjustments as (
    select id from points_adjustments where ${COMMITTED_AFTER_WATERMARK}
    union
    select adjustment_id from scope_transactions where adjustment_id is not null
  )`;

export function scopeParams(scope: Scope): unknown[] {
  return scope.kind === 'full' ? [] : [scope.watermark, scope.lastEntryId.toString()];
}

/** Wraps a query of drift rows (kind, id, expected, actual, amount) into one row per kind. */
export function findings(scope: Scope, drift: string): string {
  return `with ${scope.kind === 'incremental' ? `${SCOPE_CTES},` : ''}
  drift as (${drift}),
  ranked as (select drift.*, row_number() over (partition by kind order by id) as rn from drift)
  select kind, count(*)::text as count, coalesce(sum(amount), 0)::text as amount,
         coalesce(jsonb_agg(jsonb_build_object('id', id, 'expected', expected, 'actual', actual) order by id)
                  filter (where rn <= ${MAX_EXAMPLES}), '[]'::jsonb) as examples
    from ranked group by kind order by kind`;
}

/** The condition that keeps a row in scope: always true in a full run. */
export const only = (scope: Scope, column: string, set: string) =>
  scope.kind === 'full' ? 'true' : `${column} in (select id from ${set})`;

/** Check 1: each transaction's entries sum to zero, two or more of them; no entry without its transaction. */
export function transactionsBalanceSql(scope: Scope): string {
  // t: the ledger transactions to check, with `found` false for an id known only from its entries.
  const from =
    scope.kind === 'full'
      ? `(select id, true as found from ledger_transactions) t full join entries e on e.transaction_id = t.id`
      : 'scope_transactions t left join entries e on e.transaction_id = t.id';
  return findings(
    scope,
    `with entries as (
       select transaction_id, count(*) as n, sum(amount) as total from ledger_entries
        where ${only(scope, 'transaction_id', 'scope_transactions')} group by transaction_id)
     select case when t.found is not true then 'entries-without-transaction'
                 when coalesce(e.n, 0) < 2 then 'too-few-entries' else 'unbalanced' end as kind,
            coalesce(t.id, e.transaction_id)::text as id,
            case when t.found is not true then 'a ledger transaction'
                 when coalesce(e.n, 0) < 2 then '2 or more entries' else '0' end as expected,
            case when t.found is not true or coalesce(e.n, 0) < 2
                 then coalesce(e.n, 0) || ' entries summing to ' || coalesce(e.total, 0) else e.total::text end as actual,
            abs(coalesce(e.total, 0)) as amount
       from ${from}
      where t.found is not true or e.n is null or e.n < 2 or e.total <> 0`,
  );
}

/** Check 2: each account's balance (all its bucket rows) equals the sum of its entries. */
export function balancesMatchEntriesSql(scope: Scope): string {
  const accounts = scope.kind === 'full' ? 'true' : 'account_id in (select account_id from scope_accounts)';
  return findings(
    scope,
    `select 'balance-differs-from-entries' as kind, coalesce(b.account_id, e.account_id)::text as id,
            coalesce(e.total, 0)::text as expected, coalesce(b.total, 0)::text as actual,
            abs(coalesce(e.total, 0) - coalesce(b.total, 0)) as amount
       from (select account_id, sum(balance) as total from account_balances where ${accounts} group by 1) b
       full join (select account_id, sum(amount) as total from ledger_entries where ${accounts} group by 1) e
         on e.account_id = b.account_id
      where coalesce(e.total, 0) <> coalesce(b.total, 0)`,
  );
}

/** Check 3, global in every mode: the sum of all balances. */
export const BALANCE_TOTAL_SQL = 'select coalesce(sum(balance), 0)::text as total from account_balances';

/**
 * Check 4: a purchase with points has exactly one ledger transaction, and it credits the purchase's customer
 * with exactly those points; a purchase without points has none; no purchase transaction lacks its purchase.
 */
export function purchasesMatchLedgerSql(scope: Scope): string {
  // Ledger transactions naming a purchase that does not exist (in scope: one that `owned` did not find).
  const orphans =
    scope.kind === 'full'
      ? `ledger_transactions t
          where t.purchase_id is not null and not exists (select 1 from purchases p where p.id = t.purchase_id)`
      : 'scope_transactions t where t.purchase_id is not null and t.purchase_id not in (select id from owned)';
  return findings(
    scope,
    // Each purchase with its ledger transactions (if any); the entries crediting its customer in each.
    `with owned as materialized (
       select p.id, p.points_earned, p.customer_id, t.id as transaction_id
         from purchases p left join ledger_transactions t on t.purchase_id = p.id
        where ${only(scope, 'p.id', 'scope_purchases')}
     ), credit as (
       select e.transaction_id, sum(e.amount) as amount
         from owned o join ledger_entries e on e.transaction_id = o.transaction_id and e.account_id = o.customer_id
        group by e.transaction_id
     ), per_purchase as (
       select o.id, o.points_earned, count(o.transaction_id) as n, coalesce(sum(c.amount), 0) as credited
         from owned o left join credit c on c.transaction_id = o.transaction_id
        group by o.id, o.points_earned
     )
     select case when n = 0 then 'missing-transaction' when n > 1 then 'duplicate-transactions'
                 when points_earned = 0 then 'unexpected-transaction' else 'wrong-credit' end as kind,
            id::text as id, points_earned::text as expected, credited::text as actual, abs(points_earned - credited) as amount
       from per_purchase
      where n <> (points_earned > 0)::int or credited <> points_earned
     union all
     select 'transaction-without-purchase', o.id::text, 'its purchase ' || o.purchase_id, o.credited || ' points credited',
            o.credited
       from (select t.id, t.purchase_id,
                    (select coalesce(sum(amount) filter (where amount > 0), 0) from ledger_entries
                      where transaction_id = t.id) as credited
               from ${orphans}) o`,
  );
}

/**
 * Incremental runs only: the sum of every entry, less that of the transactions in scope. Not zero means an
 * entry committed before the watermark changed or vanished (it can only, bypassing the guards); a full run
 * names the transaction.
 */
export const ENTRIES_OUTSIDE_SCOPE_SQL = `with ${SCOPE_CTES}
  select ((select coalesce(sum(amount), 0) from ledger_entries)
        - (select coalesce(sum(amount), 0) from ledger_entries
            where transaction_id in (select id from scope_transactions)))::text as total`;

/** Check 5's input: the purchases in scope with their snapshot, read through a cursor. */
export function purchaseSnapshotsSql(scope: Scope): string {
  return `${scope.kind === 'incremental' ? `with ${SCOPE_CTES}` : ''}
  select id, retailer_id, product_id, quantity, unit_price_cents, total_price_cents::text as total_price_cents,
         promotion_id, award_rate::text as award_rate, points_earned::text as points_earned,
         -- milliseconds truncated, as the purchase path's Instant.toDate(): the local date is taken from these
         trunc(extract(epoch from purchased_at) * 1000)::text as purchased_ms,
         promotion_catalog_seq::text as catalog_seq
    from purchases where ${only(scope, 'id', 'scope_purchases')}`;
}

/** Rows read by the checks: every one in a full run, those in scope in an incremental one. */
export function countsSql(scope: Scope): string {
  if (scope.kind === 'full') {
    return `select (select count(*) from purchases)::text as purchases,
                   (select count(*) from ledger_transactions)::text as transactions,
                   (select count(*) from accounts)::text as accounts,
                   (select count(*) from purchase_returns)::text as returns,
                   (select count(*) from redemptions)::text as redemptions,
                   (select count(*) from redemption_cancellations)::text as cancellations,
                   (select count(*) from points_adjustments)::text as adjustments`;
  }
  return `with ${SCOPE_CTES}
  select (select count(*) from scope_purchases)::text as purchases,
         (select count(*) from scope_transactions)::text as transactions,
         (select count(*) from scope_accounts)::text as accounts,
         (select count(*) from scope_returns)::text as returns,
         (select count(*) from scope_redemptions)::text as redemptions,
         (select count(*) from scope_cancellations)::text as cancellations,
         (select count(*) from scope_adjustments)::text as adjustments`;
}

export const LEDGER_IS_EMPTY_SQL = `select not exists (select 1 from purchases) and not exists (select 1 from ledger_transactions)
  and not exists (select 1 from ledger_entries) as empty`;

/** Check 6's view of the catalog: the triggers, constraints and indexes of the ledger's tables. */
export const GUARD_TRIGGERS_SQL = `select c.relname as "table", t.tgname as name, p.proname as fn, t.tgenabled as enabled
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
 where not t.tgisinternal and c.relnamespace = current_schema()::regnamespace`;

/** Check 6's view of the indexes that guard without being constraints (partial unique indexes). */
export const GUARD_INDEXES_SQL = `select c.relname as "table", x.relname as name,
       i.indisunique and i.indisvalid and i.indisready as enforced
  from pg_index i join pg_class x on x.oid = i.indexrelid join pg_class c on c.oid = i.indrelid
 where c.relnamespace = current_schema()::regnamespace`;

export const GUARD_CONSTRAINTS_SQL = `select c.relname as "table", k.conname as name,
       k.convalidated and not exists (select 1 from pg_trigger t where t.tgconstraint = k.oid
                                        and t.tgenabled not in ('O', 'A')) as enforced
  from pg_constraint k join pg_class c on c.oid = k.conrelid
 where c.relnamespace = current_schema()::regnamespace`;
