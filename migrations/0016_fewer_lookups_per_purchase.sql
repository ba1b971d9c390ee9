-- The database's work per purchase on the batch path, second round (the first is 0014; docs/performance.md, "The
-- database's cost per purchase", has the measurements; docs/decisions/0019-ledger-keys-derived.md the one real
-- choice). Every guard still refuses everything it refused (one case aside, after writes made behind the guards:
-- see "Balanced by induction"); what changes is how much reading it takes to decide.
--
-- A call of 500 purchases made, besides its writes, about 6,500 key lookups. This migration removes about 2,000:
-- * post_ledger_entries() summed every touched transaction's entries from the table (500 index scans per call),
--   although the statement's own entries decide it (below, "balanced by induction");
-- * the entries' accounts were looked up twice per statement, once for their existence (ledger_entries_references)
--   and once for their bucket count (the balance upsert): now once;
-- * the stored rows of the recorded purchases were read back by idempotency key to answer the call, though the call
--   itself holds every value of them: now only replays, conflicts and unknown customers are read back;
-- and two per-row costs of ledger transactions:
-- * the foreign key corrects_id, a row trigger queued and fired for every ledger transaction (null for all but
--   corrections), becomes a per-statement reference check like every other reference since 0008;
-- * the unique index on the ledger key, a text of ~45 bytes per purchase, duplicated the uniqueness that each kind's
--   own reference already has: the key is now derived from that reference by a CHECK (decision 0019).

-- ---------------------------------------------------------------------------------------------------------
-- Balanced by induction. Every statement that writes entries ends with every transaction it touched summing to
-- zero over two or more entries (this trigger, since 0001, refuses the statement otherwise), and entries are
-- append-only. So before a statement, a transaction's existing entries sum to zero (or there are none); if the
-- statement's own entries for it sum to zero and number two or more, so do all its entries after the statement
-- (amounts are never zero, so a lone new entry cannot sum to zero). Only a transaction whose new entries alone do
-- not pass is summed over the table, exactly as before (it can only pass if earlier entries, written behind this
-- trigger, left the transaction unbalanced and these complete it). The one statement judged differently: balanced
-- entries added to a transaction that writes behind the trigger (replication role, a superuser disabling it) left
-- unbalanced were refused and now pass; such writes are what reconciliation is for, as before: check 1 reports the
-- unbalanced transaction, check 6 a disabled trigger (decision 0019).
--
-- The accounts: looked up once, for their bucket count. An entry whose account does not exist joins no account
-- row, so the balance upsert moves fewer accounts than the statement names: that is refused with the error of the
-- reference check (same code and constraint name as 0008), and ledger_entries_references now checks the
-- transactions only. The trigger fires before the references check (triggers fire in name order), so a statement
-- naming a missing account is refused as it was, with the same error, unless it is unbalanced too (refused for
-- that, as before).
-- CREATE OR REPLACE drops the SET clauses and SECURITY DEFINER of 0014 and 0015: stated again, as they were.
create or replace function post_ledger_entries() returns trigger language plpgsql
set plan_cache_mode = force_generic_plan set enable_seqscan = off
security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  unbalanced uuid;
  accounts_named bigint;
  accounts_moved bigint;
  missing bigint;
begin
  select t.transaction_id into unbalanced
    from (select e.transaction_id, sum(e.amount) as total, count(*) as entries
            from new_entries e group by e.transaction_id) t
   where (t.total <> 0 or t.entries < 2)
     and exists (select 1
                   from (select sum(e.amount) as total, count(*) as entries
                           from ledger_entries e where e.transaction_id = t.transaction_id offset 0) s
                  where s.total <> 0 or s.entries < 2)
   limit 1;
  if unbalanced is not null then
    raise exception 'ledger transaction % does not balance to zero with at least two entries', unbalanced
      using errcode = 'check_violation', constraint = 'ledger_transaction_balanced';
  end if;

  -- One bucket per statement, chosen by the connection (0006); sorted so that concurrent writers lock in one order.
  insert into account_balances (account_id, bucket, balance)
  select n.account_id, (pg_backend_pid() % a.balance_buckets)::smallint, n.amount
    from (select e.account_id, sum(e.amount) as amount from new_entries e group by e.account_id) n
    cross join lateral (select a.balance_buckets from accounts a where a.id = n.account_id offset 0) a
   order by 1, 2
  on conflict (account_id, bucket) do update set balance = account_balances.balance + excluded.balance;
  get diagnostics accounts_moved = row_count;
  select count(distinct e.account_id) into accounts_named from new_entries e;
  if accounts_moved < accounts_named then
    select e.id into missing
      from new_entries e
     where not exists (select 1 from accounts a where a.id = e.account_id offset 0)
     limit 1;
    raise exception 'ledger entry % references a ledger transaction or account that does not exist', missing
      using errcode = 'foreign_key_violation', constraint = 'ledger_entries_references';
  end if;
  return null;
end $$;

create or replace function check_ledger_entry_references() returns trigger language plpgsql
set plan_cache_mode = force_generic_plan set enable_seqscan = off set search_path = pg_catalog, public, pg_temp as $$
declare
  missing bigint;
begin
  -- The entries' accounts are checked by post_ledger_entries(), which looks each one up for its balance anyway.
  if exists (select 1 from (select distinct n.transaction_id from new_entries n) d
              where not exists (select 1 from ledger_transactions t where t.id = d.transaction_id offset 0)) then
    select n.id into missing
      from new_entries n
     where not exists (select 1 from ledger_transactions t where t.id = n.transaction_id offset 0)
     limit 1;
    raise exception 'ledger entry % references a ledger transaction or account that does not exist', missing
      using errcode = 'foreign_key_violation', constraint = 'ledger_entries_references';
  end if;
  return null;
end $$;

-- ---------------------------------------------------------------------------------------------------------
-- corrects_id: checked per statement with the other references of a ledger transaction. The foreign key also kept
-- the corrected transaction from being deleted; ledger transactions are append-only and never truncated
-- (ledger_transactions_append_only, _no_truncate), as for every reference of 0008.
alter table ledger_transactions drop constraint ledger_transactions_corrects_id_fkey;

create or replace function check_ledger_transaction_references() returns trigger language plpgsql
set plan_cache_mode = force_generic_plan set enable_seqscan = off set search_path = pg_catalog, public, pg_temp as $$
declare
  missing uuid;
begin
  select n.id into missing
    from new_transactions n
   where (n.purchase_id is not null
          and not exists (select 1 from purchases p where p.id = n.purchase_id offset 0))
      or (n.return_id is not null
          and not exists (select 1 from purchase_returns r where r.id = n.return_id offset 0))
      or (n.redemption_id is not null
          and not exists (select 1 from redemptions r where r.id = n.redemption_id offset 0))
      or (n.kind = 'cancellation'
          and not exists (select 1 from redemption_cancellations c where c.redemption_id = n.redemption_id offset 0))
      or (n.adjustment_id is not null
          and not exists (select 1 from points_adjustments a where a.id = n.adjustment_id offset 0))
      or (n.corrects_id is not null
          and not exists (select 1 from ledger_transactions t where t.id = n.corrects_id offset 0))
   limit 1;
  if missing is not null then
    raise exception 'ledger transaction % references a purchase, return, redemption, cancellation, adjustment or corrected transaction that does not exist', missing
      using errcode = 'foreign_key_violation', constraint = 'ledger_transactions_references';
  end if;

  -- 0014: the transactions whose writer said their entries come in this statement have two or more now.
  select n.id into missing
    from new_transactions n
   where n.entries_in_statement
     and (select count(*) from (select 1 from ledger_entries e where e.transaction_id = n.id limit 2 offset 0) x) < 2
   limit 1;
  if missing is not null then
    raise exception 'ledger transaction % has fewer than two entries', missing
      using errcode = 'check_violation', constraint = 'ledger_transaction_balanced';
  end if;
  return null;
end $$;

-- ---------------------------------------------------------------------------------------------------------
-- The ledger key, unique still, with one index fewer per purchase (decision 0019). Every writer has always made
-- the key from the transaction's kind and the reference that kind carries ('purchase:<purchase id>', 0001 and the
-- service; 'return:', 'redemption:', 'cancellation:', 'adjustment:' in 0010 and 0011), and each of those references
-- is unique per kind already: ledger_transactions_purchase_id_key, and the partial unique indexes of 0010 on
-- return_id, (redemption_id, kind) and adjustment_id. The CHECK makes the derivation a rule, so two transactions
-- with the same key would have the same kind and reference, which those indexes refuse; kinds cannot share a key,
-- as each key starts with its own kind. Corrections carry no such reference: their keys keep a unique index of
-- their own. The CHECK is validated against every existing row here; a row that does not follow it stops the
-- migration (nothing is changed) rather than being let through.
alter table ledger_transactions add constraint ledger_transactions_key_derived check (coalesce(
  case kind
    when 'purchase' then key = 'purchase:' || purchase_id::text
    when 'return' then key = 'return:' || return_id::text
    when 'redemption' then key = 'redemption:' || redemption_id::text
    when 'cancellation' then key = 'cancellation:' || redemption_id::text
    when 'adjustment' then key = 'adjustment:' || adjustment_id::text
    else key like 'correction:%'
  end, false));
create unique index ledger_transactions_correction_key_idx on ledger_transactions (key) where kind = 'correction';
alter table ledger_transactions drop constraint ledger_transactions_key_key;

-- ---------------------------------------------------------------------------------------------------------
-- The batch function. Against 0014: the writing statement also says which items it recorded (a boolean per item,
-- from the join of the call's arrays with the purchases it inserted: no table statistics involved), and the
-- answering statement answers those from the call's own arguments. A recorded item's stored row is exactly its
-- arguments: the id, the values inserted as given, total_price_cents as inserted, the award rate as the column
-- stores it (numeric(12,4)), recorded_at the column's default now(), the same in both statements of one database
-- transaction. Only the other items (a replay, a conflict, an unknown customer) are read back by idempotency key.
--
-- jit = off: no statement of this path runs long enough to repay compiling it, and compiling is per execution. The
-- answering statement's estimated cost grows with the statistics of account_balances (an account may have many
-- bucket rows, so each lookup is costed at ~1,000 rows); on a server built with JIT it crossed jit_above_cost once
-- autovacuum had analyzed a loaded ledger, and every call then spent ~17 ms of its ~45 compiling 42 functions
-- (auto_explain; 500 purchases per call on ~600,000 stored). The setting holds for the triggers the call fires.
create or replace function record_purchases(
  p_ids uuid[], p_retailer_ids uuid[], p_transaction_ids text[], p_customer_ids uuid[], p_product_ids uuid[],
  p_quantities integer[], p_unit_prices integer[], p_purchased_ats timestamptz[], p_payload_hashes bytea[],
  p_promotion_ids uuid[], p_award_rates numeric[], p_points bigint[], p_ledger_keys text[],
  p_posting_items integer[], p_posting_accounts uuid[], p_posting_amounts bigint[], p_catalog_seqs bigint[]
) returns table (
  item integer, outcome text, id uuid, retailer_id uuid, transaction_id text, customer_id uuid, product_id uuid,
  quantity integer, unit_price_cents integer, total_price_cents bigint, promotion_id uuid, award_rate numeric,
  points_earned bigint, purchased_at timestamptz, recorded_at timestamptz, customer_balance bigint
) language plpgsql
set plan_cache_mode = force_generic_plan set enable_seqscan = off set jit = off
set search_path = pg_catalog, public, pg_temp as $$
declare
  v_recorded boolean[];
begin
  with input as (
    select u.*
      from unnest(p_ids, p_retailer_ids, p_transaction_ids, p_customer_ids, p_product_ids, p_quantities,
                  p_unit_prices, p_purchased_ats, p_payload_hashes, p_promotion_ids, p_award_rates, p_points,
                  p_ledger_keys, p_catalog_seqs) with ordinality
           as u(id, retailer_id, transaction_id, customer_id, product_id, quantity, unit_price_cents,
                purchased_at, payload_hash, promotion_id, award_rate, points, ledger_key, catalog_seq, item)
  ), new_purchases as (
    insert into purchases as x (id, retailer_id, transaction_id, customer_id, product_id, quantity,
                                unit_price_cents, total_price_cents, promotion_id, award_rate, points_earned,
                                purchased_at, payload_hash, promotion_catalog_seq)
    select i.id, i.retailer_id, i.transaction_id, i.customer_id, i.product_id, i.quantity, i.unit_price_cents,
           i.quantity::bigint * i.unit_price_cents, i.promotion_id, i.award_rate, i.points, i.purchased_at,
           i.payload_hash, i.catalog_seq
      from input i
     -- OFFSET 0: a lookup per item by primary key, never a join over the whole customers index.
     where exists (select 1 from customers c where c.id = i.customer_id offset 0)
     order by i.retailer_id, i.transaction_id, i.item
    on conflict on constraint purchases_idempotency_key do nothing
    returning x.id
  ), new_transactions as (
    insert into ledger_transactions as t (key, kind, purchase_id, effective_at, entries_in_statement)
    select i.ledger_key, 'purchase', i.id, i.purchased_at, true
      from input i join new_purchases n on n.id = i.id
     where i.item in (select p.item from unnest(p_posting_items) as p(item))
    returning t.id, t.purchase_id
  ), new_entries as (
    -- Not read below: a data-modifying CTE runs to completion whether or not the statement reads it.
    insert into ledger_entries (transaction_id, account_id, amount)
    select t.id, p.account_id, p.amount
      from unnest(p_posting_items, p_posting_accounts, p_posting_amounts) as p(item, account_id, amount)
      join input i on i.item = p.item
      join new_transactions t on t.purchase_id = i.id
  )
  select array_agg(n.id is not null order by i.item) into v_recorded
    from input i left join new_purchases n on n.id = i.id;

  -- A recorded item's balance is the customer's balance right after it: the batch's later credits to the same
  -- customer are taken off, as if the batch's purchases had committed one by one in item order.
  return query
  with input as (
    select u.*
      from unnest(p_ids, p_retailer_ids, p_transaction_ids, p_customer_ids, p_product_ids, p_quantities,
                  p_unit_prices, p_purchased_ats, p_payload_hashes, p_promotion_ids, p_award_rates, p_points)
           with ordinality
           as u(id, retailer_id, transaction_id, customer_id, product_id, quantity, unit_price_cents,
                purchased_at, payload_hash, promotion_id, award_rate, points, item)
  ), stored as (
    select i.item::integer as item, 'recorded'::text as outcome, i.id, i.retailer_id, i.transaction_id,
           i.customer_id, i.product_id, i.quantity, i.unit_price_cents,
           i.quantity::bigint * i.unit_price_cents as total_price_cents, i.promotion_id,
           i.award_rate::numeric(12, 4)::numeric as award_rate, i.points as points_earned, i.purchased_at,
           now() as recorded_at
      from input i
     where v_recorded[i.item]
    union all
    select i.item::integer,
           case when x.id is null then 'customer_not_found'
                when x.payload_hash = i.payload_hash then 'replayed'
                else 'conflict' end,
           x.id, x.retailer_id, x.transaction_id, x.customer_id, x.product_id, x.quantity, x.unit_price_cents,
           x.total_price_cents, x.promotion_id, x.award_rate::numeric, x.points_earned, x.purchased_at,
           x.recorded_at
      from input i
      -- One lookup per item by its idempotency key (OFFSET 0: see 0006).
      left join lateral (select s.* from purchases s
                          where s.retailer_id = i.retailer_id and s.transaction_id = i.transaction_id
                         offset 0) x on true
     where not v_recorded[i.item]
  ), answered as (
    select s.*, b.balance
      from stored s
      -- The customer's balance buckets by primary key, per item (0012): never a join of the items with a set of
      -- balances, which a plan made on small tables may run as a nested loop over that set.
      cross join lateral (select sum(a.balance)::bigint as balance from account_balances a
                           where a.account_id = s.customer_id
                          offset 0) b
  )
  select s.item, s.outcome, s.id, s.retailer_id, s.transaction_id, s.customer_id, s.product_id, s.quantity,
         s.unit_price_cents, s.total_price_cents, s.promotion_id, s.award_rate, s.points_earned, s.purchased_at,
         s.recorded_at,
         (coalesce(s.balance, 0) - case when s.outcome = 'recorded' then coalesce(sum(s.points_earned) filter
           (where s.outcome = 'recorded') over (partition by s.customer_id order by s.item
             rows between 1 following and unbounded following), 0) else 0 end)::bigint
    from answered s
   order by s.item;
end $$;
