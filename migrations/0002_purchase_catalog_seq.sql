-- Which promotions the service knew when it priced a purchase: the highest promotions.seq of its catalog.
-- Reconciliation re-derives the promotion a sale should have had from exactly those versions, so a revision
-- made a moment after the sale (or not yet seen by another instance) is not mistaken for drift.
-- Rows from before this column, and rows written by hand, carry 0: "no promotion was known".
alter table purchases add column promotion_catalog_seq bigint not null default 0
  constraint purchases_promotion_catalog_seq_check check (promotion_catalog_seq >= 0);

drop function record_purchases(uuid[], uuid[], text[], uuid[], uuid[], integer[], integer[], timestamptz[], bytea[],
                               uuid[], numeric[], bigint[], text[], integer[], uuid[], bigint[]);

-- The purchase hot path: one statement records a batch of purchases (one or many: the service coalesces
-- concurrent requests), in one round trip and one database transaction. The service has resolved each
-- purchase's promotion, computed its points and built its ledger postings (src/ledger/ledger.ts); the
-- constraints and triggers above verify them. Item n of every array describes purchase n.
--
-- The unique key decides concurrent submissions of one key: a second writer's INSERT waits for the first to
-- commit and skips the row; the next statement (a new snapshot) finds the stored row and reports, per item:
--   recorded            this item's row was inserted (its id is the one the caller chose)
--   replayed            the key exists with the same payload digest: nothing new was credited
--   conflict            the key exists with another payload digest: nothing was written for it
--   customer_not_found  no such customer: nothing was written for it, the key stays free
-- Rows are inserted in key order (so two batches wait on each other's keys in one order and cannot deadlock),
-- and of two items with one key in a batch the earlier one wins.
create function record_purchases(
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
     where exists (select 1 from customers c where c.id = i.customer_id)
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
      left join purchases x on x.retailer_id = i.retailer_id and x.transaction_id = i.transaction_id
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
