-- A purchase's ledger transaction takes the purchase's id (decision 0020). The id of a ledger transaction was the
-- column default uuid_v7(): a random UUID from the server's strong random source, then its first 48 bits replaced
-- by the clock, in SQL, at ~1.7 µs per row (gen_random_uuid() alone ~1 µs: a read of the random source per call),
-- about 3 % of the database's CPU per purchase at 500 per call. The purchase's id is already there: the service
-- makes it (uuidV7, time-ordered like uuid_v7()), one per purchase, and a purchase has at most one ledger
-- transaction (ledger_transactions_purchase_id_key), so the id is unique among the ledger transactions of
-- purchases; against the ids uuid_v7() gives the other kinds it is as unlikely to collide as any two random UUIDs
-- (74 random bits each, and the primary key refuses a collision rather than merging). The key, the purchase_id
-- column and every guard stay as they were; only the value of the id changes, for purchases recorded from now on.
--
-- The batch function as 0016 left it, with this one change; nothing else in the body differs. Its signature and
-- answers are unchanged, so a service of the previous release keeps working against it (decision 0013).
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
    insert into ledger_transactions as t (id, key, kind, purchase_id, effective_at, entries_in_statement)
    select i.id, i.ledger_key, 'purchase', i.id, i.purchased_at, true
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
