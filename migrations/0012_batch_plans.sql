-- Batches of 500-1,000 purchases per call: the statement that answers a batch reads every balance by a key.
--
-- 0006 read the batch's balances as one set (account_balances where account_id = any (the customers)) and joined
-- it to the items. How that join runs was left to the planner, and its choice depends on the statistics of
-- account_balances when the connection first plans the function (force_generic_plan keeps that plan): with
-- hash and merge joins costed out it is a nested loop that reads the whole materialized set once per item, so a
-- call costs O(N^2) (1,000 items: ~3.4 s instead of ~80 ms, measured). Seen by the raw batched bench on a fresh
-- database: 4 connections at 1,000 per call, 5,435 purchases/s instead of ~15,000.
--
-- Here each item reads its customer's balance buckets itself, by primary key, in a LATERAL subquery behind
-- OFFSET 0 (kept as a subquery driven by the item, as in 0006): the statement has no join left whose method
-- the statistics choose, so its cost is linear in the batch whatever the plan. An item of a customer that
-- appears several times in the batch reads the same buckets again: a key lookup of one or a few rows, cheaper
-- than grouping the batch by customer first. The first statement's joins (the batch with the rows it inserted)
-- are between the call's own arrays and CTEs, whose estimates do not come from any table's statistics.
-- test/integration/purchase-plans.test.ts reads the plans of 1,000-item batches on an empty and a loaded database.
--
-- CREATE OR REPLACE keeps the grants (0009) but not the SET clauses of 0006: they are set again below.

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
           x.*,
           b.balance
      from input i
      -- One lookup per item by its idempotency key (OFFSET 0: see 0006).
      left join lateral (select s.* from purchases s
                          where s.retailer_id = i.retailer_id and s.transaction_id = i.transaction_id
                         offset 0) x on true
      -- And the stored purchase's customer's balance buckets by primary key, per item: never a join of the
      -- items with a set of balances, which a plan made on small tables may run as a nested loop over that set.
      cross join lateral (select sum(a.balance)::bigint as balance from account_balances a
                           where a.account_id = x.customer_id
                          offset 0) b
  )
  select s.item, s.outcome, s.id, s.retailer_id, s.transaction_id, s.customer_id, s.product_id, s.quantity,
         s.unit_price_cents, s.total_price_cents, s.promotion_id, s.award_rate, s.points_earned, s.purchased_at,
         s.recorded_at,
         (coalesce(s.balance, 0) - case when s.outcome = 'recorded' then coalesce(sum(s.points_earned) filter
           (where s.outcome = 'recorded') over (partition by s.customer_id order by s.item
             rows between 1 following and unbounded following), 0) else 0 end)::bigint
    from stored s
   order by s.item;
end $$;

alter function record_purchases(uuid[], uuid[], text[], uuid[], uuid[], integer[], integer[], timestamptz[],
                                bytea[], uuid[], numeric[], bigint[], text[], integer[], uuid[], bigint[], bigint[])
  set plan_cache_mode = force_generic_plan;
alter function record_purchases(uuid[], uuid[], text[], uuid[], uuid[], integer[], integer[], timestamptz[],
                                bytea[], uuid[], numeric[], bigint[], text[], integer[], uuid[], bigint[], bigint[])
  set enable_seqscan = off;
