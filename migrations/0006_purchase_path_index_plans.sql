-- The purchase path's statements are planned once per connection, and every plan reaches every table by a key.
--
-- 0005 planned every statement of record_purchases() and of the ledger triggers on every call, because the
-- generic plans PL/pgSQL caches per connection had been made while a new database's tables were tiny and were
-- kept while the tables grew. Planning every call cost about 30 % of the database's CPU per purchase.
--
-- Here the plans cannot depend on table sizes, so they are made once (force_generic_plan) and kept:
-- * sequential scans are ruled out in these functions (enable_seqscan = off): every table they read is reached
--   by a key (purchases by idempotency key, customers, accounts and balances by primary key, entries by ledger
--   transaction);
-- * each lookup of a stored row is a LATERAL subquery behind OFFSET 0, which the planner keeps as a subquery
--   driven by the outer row's key: otherwise, on a table that looks empty, it may read a whole index in the
--   order a merge join or a GROUP BY wants (seen: all purchases in customer order, for every batch).
-- A test (test/integration/purchase-plans.test.ts) reads the plans made right after ANALYZE of empty tables.
-- Database alone, batches of 21 purchases, 3 at a time: 5,500-6,300 -> 10,400 purchases/s.

create or replace function record_purchases(
  p_ids uuid[], p_retailer_ids uuid[], p_transaction_ids text[], p_customer_ids uuid[], p_product_ids uuid[],
  p_quantities integer[], p_unit_prices integer[], p_purchased_ats timestamptz[], p_payload_hashes bytea[],
  p_promotion_ids uuid[], p_award_rates numeric[], p_points bigint[], p_ledger_keys text[],
  p_posting_items integer[], p_posting_accounts uuid[], p_posting_amounts bigint[], p_catalog_seqs bigint[]
) returns table (
  item integer, outcome text, id uuid, retailer_id uuid, transaction_id text, customer_id uuid, product_id uuid,
  quantity integer, unit_price_cents integer, total_price_cents bigint, promotion_id uuid, award_rate numeric,
  points_earned bigint, purchased_at timestamptz, recorded_at timestamptz, customer_balance bigint
) language plpgsql as $$
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
    insert into ledger_transactions as t (key, kind, purchase_id, effective_at)
    select i.ledger_key, 'purchase', i.id, i.purchased_at
      from input i join new_purchases n on n.id = i.id
     where i.item = any (p_posting_items)
    returning t.id, t.purchase_id
  )
  insert into ledger_entries (transaction_id, account_id, amount)
  select t.id, p.account_id, p.amount
    from unnest(p_posting_items, p_posting_accounts, p_posting_amounts) as p(item, account_id, amount)
    join input i on i.item = p.item
    join new_transactions t on t.purchase_id = i.id;

  -- A recorded item's balance is the customer's balance right after it: the batch's later credits to the same
  -- customer are taken off, as if the batch's purchases had committed one by one in item order.
  return query
  with input as (
    select u.* from unnest(p_ids, p_retailer_ids, p_transaction_ids, p_customer_ids, p_payload_hashes)
                    with ordinality as u(id, retailer_id, transaction_id, customer_id, payload_hash, item)
  ), stored as (
    select i.item::integer as item,
           case when x.id is null then 'customer_not_found'
                when x.id = i.id then 'recorded'
                when x.payload_hash = i.payload_hash then 'replayed'
                else 'conflict' end as outcome,
           x.*
      from input i
      -- One lookup per item by its idempotency key (OFFSET 0: see the top of this file).
      left join lateral (select s.* from purchases s
                          where s.retailer_id = i.retailer_id and s.transaction_id = i.transaction_id
                         offset 0) x on true
  ), balances as (
    select b.account_id, sum(b.balance)::bigint as balance
      from account_balances b
     -- The array, not a subquery: the planner then uses the primary key instead of scanning every balance.
     where b.account_id = any (p_customer_ids)
     group by b.account_id
  )
  select s.item, s.outcome, s.id, s.retailer_id, s.transaction_id, s.customer_id, s.product_id, s.quantity,
         s.unit_price_cents, s.total_price_cents, s.promotion_id, s.award_rate, s.points_earned, s.purchased_at,
         s.recorded_at,
         (coalesce(b.balance, 0) - case when s.outcome = 'recorded' then coalesce(sum(s.points_earned) filter
           (where s.outcome = 'recorded') over (partition by s.customer_id order by s.item
             rows between 1 following and unbounded following), 0) else 0 end)::bigint
    from stored s left join balances b on b.account_id = s.customer_id
   order by s.item;
end $$;

create or replace function post_ledger_entries() returns trigger language plpgsql as $$
declare
  unbalanced uuid;
begin
  -- Each transaction of the statement, summed over all its entries (one lookup per transaction, OFFSET 0).
  select t.transaction_id into unbalanced
    from (select distinct transaction_id from new_entries) t
    cross join lateral (select sum(e.amount) as total, count(*) as entries
                          from ledger_entries e where e.transaction_id = t.transaction_id offset 0) s
   where s.total <> 0 or s.entries < 2
   limit 1;
  if unbalanced is not null then
    raise exception 'ledger transaction % does not balance to zero with at least two entries', unbalanced
      using errcode = 'check_violation', constraint = 'ledger_transaction_balanced';
  end if;

  -- One bucket per statement, chosen by the connection: concurrent writers (on different connections) land on
  -- different bucket rows of a many-bucket account, and one statement's entries move each account once.
  -- Sorted so that concurrent writers take row locks in one order and cannot deadlock.
  insert into account_balances (account_id, bucket, balance)
  select n.account_id, (pg_backend_pid() % a.balance_buckets)::smallint, sum(n.amount)
    from new_entries n
    cross join lateral (select a.balance_buckets from accounts a where a.id = n.account_id offset 0) a
   group by 1, 2
   order by 1, 2
  on conflict (account_id, bucket) do update set balance = account_balances.balance + excluded.balance;
  return null;
end $$;

alter function record_purchases(uuid[], uuid[], text[], uuid[], uuid[], integer[], integer[], timestamptz[],
                                bytea[], uuid[], numeric[], bigint[], text[], integer[], uuid[], bigint[], bigint[])
  set plan_cache_mode = force_generic_plan;
alter function record_purchases(uuid[], uuid[], text[], uuid[], uuid[], integer[], integer[], timestamptz[],
                                bytea[], uuid[], numeric[], bigint[], text[], integer[], uuid[], bigint[], bigint[])
  set enable_seqscan = off;
alter function post_ledger_entries() set plan_cache_mode = force_generic_plan;
alter function post_ledger_entries() set enable_seqscan = off;
alter function check_ledger_transaction_has_entries() set plan_cache_mode = force_generic_plan;
alter function check_ledger_transaction_has_entries() set enable_seqscan = off;
