-- The database's own work per purchase on the batch path, with every guard kept (docs/performance.md, "The
-- database's cost per purchase", has the measurements; docs/decisions/0017-entries-checked-per-statement.md
-- the one real choice).
--
-- At 500 purchases per call, before this migration, each call made (per 500 purchases):
-- * 500 x 1,000 comparisons in record_purchases() to find the items with postings (`item = any (postings)`);
-- * 1,000 PL/pgSQL calls of the row-level balance guard (refuse_direct_balance_write), two per balance row moved;
-- * 1,000 lookups of an entry's account for its bucket count, though a batch names 501 accounts;
-- * 2,000 reference lookups for purchases' products, retailers and promotions, of which a batch names a few, and
--   2,000 for entries' transactions and accounts, of which it names 500 and 501;
-- * 500 PL/pgSQL calls at commit, one per ledger transaction, each starting an executor to count two entries
--   (the deferred ledger_transactions_have_entries check): about a tenth of the database's CPU per purchase;
-- * a non-HOT update of most customers' balance rows: a balance row shared its page with ~135 others, so the new
--   version went to another page, with a new index entry and an extra WAL record.
-- Each guard below still refuses everything it refused; only the work to decide it changes (two refusals may now
-- come earlier, or cover a statement that writes nothing: said below where).

-- ---------------------------------------------------------------------------------------------------------
-- Balances: room on every page for the next versions of its rows, so that an update stays on the page (HOT: no
-- new index entry, no lock record for moving the row). Every row of this table is updated by every purchase of
-- its customer; half of each page left free holds a new version of every row on it (a batch of consecutive
-- customers updates every row of a page at once), and pruning frees the old ones once no snapshot needs them.
-- Pages written from now on keep the room; existing full pages give their rows room as they move (an update
-- that leaves a page lands on a page with room). The table is one small row per customer and account bucket.
alter table account_balances set (fillfactor = 50);

-- Direct writes are refused once per statement instead of once per row: pg_trigger_depth() is the same for every
-- row of a statement, so the statement-level trigger refuses every statement the row-level one did (a write that
-- is not made by a trigger), and also one that matches no row. Same trigger name, same function (reconciliation's
-- check 6 looks for both).
drop trigger account_balances_derived_only on account_balances;
create or replace function refuse_direct_balance_write() returns trigger language plpgsql as $$
begin
  if pg_trigger_depth() < 2 then
    raise exception 'account balances are derived from ledger entries and cannot be written directly'
      using errcode = 'restrict_violation';
  end if;
  return null;
end $$;
create trigger account_balances_derived_only before insert or update or delete on account_balances
  for each statement execute function refuse_direct_balance_write();

-- ---------------------------------------------------------------------------------------------------------
-- The entries' trigger: the balance check is unchanged; the balances now read each account's bucket count once
-- per account of the statement (the entries summed per account first) rather than once per entry.
-- CREATE OR REPLACE resets the SET clauses and SECURITY DEFINER of 0006 and 0009: stated again here, as they were.
create or replace function post_ledger_entries() returns trigger language plpgsql
set plan_cache_mode = force_generic_plan set enable_seqscan = off
security definer set search_path = pg_catalog, public as $$
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
  select n.account_id, (pg_backend_pid() % a.balance_buckets)::smallint, n.amount
    from (select e.account_id, sum(e.amount) as amount from new_entries e group by e.account_id) n
    cross join lateral (select a.balance_buckets from accounts a where a.id = n.account_id offset 0) a
   order by 1, 2
  on conflict (account_id, bucket) do update set balance = account_balances.balance + excluded.balance;
  return null;
end $$;

-- ---------------------------------------------------------------------------------------------------------
-- Reference checks (0008) per distinct value: each value a statement names is looked up once. The rare failing
-- statement then finds a row to name in the error, as before; code and constraint name are those of 0008.
create or replace function check_purchase_references() returns trigger language plpgsql
set plan_cache_mode = force_generic_plan set enable_seqscan = off as $$
declare
  missing uuid;
begin
  if exists (select 1 from (select distinct n.customer_id from new_purchases n) d
              where not exists (select 1 from customers c where c.id = d.customer_id offset 0))
     or exists (select 1 from (select distinct n.product_id from new_purchases n) d
                 where not exists (select 1 from products p where p.id = d.product_id offset 0))
     or exists (select 1 from (select distinct n.retailer_id from new_purchases n) d
                 where not exists (select 1 from retailers r where r.id = d.retailer_id offset 0))
     or exists (select 1 from (select distinct n.promotion_id from new_purchases n where n.promotion_id is not null) d
                 where not exists (select 1 from promotions m where m.id = d.promotion_id offset 0)) then
    select n.id into missing
      from new_purchases n
     where not exists (select 1 from customers c where c.id = n.customer_id offset 0)
        or not exists (select 1 from products p where p.id = n.product_id offset 0)
        or not exists (select 1 from retailers r where r.id = n.retailer_id offset 0)
        or (n.promotion_id is not null
            and not exists (select 1 from promotions m where m.id = n.promotion_id offset 0))
     limit 1;
    raise exception 'purchase % references a customer, product, retailer or promotion that does not exist', missing
      using errcode = 'foreign_key_violation', constraint = 'purchases_references';
  end if;
  return null;
end $$;

create or replace function check_ledger_entry_references() returns trigger language plpgsql
set plan_cache_mode = force_generic_plan set enable_seqscan = off as $$
declare
  missing bigint;
begin
  if exists (select 1 from (select distinct n.transaction_id from new_entries n) d
              where not exists (select 1 from ledger_transactions t where t.id = d.transaction_id offset 0))
     or exists (select 1 from (select distinct n.account_id from new_entries n) d
                 where not exists (select 1 from accounts a where a.id = d.account_id offset 0)) then
    select n.id into missing
      from new_entries n
     where not exists (select 1 from ledger_transactions t where t.id = n.transaction_id offset 0)
        or not exists (select 1 from accounts a where a.id = n.account_id offset 0)
     limit 1;
    raise exception 'ledger entry % references a ledger transaction or account that does not exist', missing
      using errcode = 'foreign_key_violation', constraint = 'ledger_entries_references';
  end if;
  return null;
end $$;

-- ---------------------------------------------------------------------------------------------------------
-- Time-ordered ids (0007) from the clock as double precision: extract() returns numeric, whose arithmetic cost
-- more than the rest of the id. The same 48 bits of Unix milliseconds (a double holds today's milliseconds
-- exactly to the microsecond), the same version and variant bits.
create or replace function uuid_v7() returns uuid language sql volatile parallel safe as $$
  select encode(
           set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                                   placing substring(int8send(floor(date_part('epoch', clock_timestamp()) * 1000)::bigint) from 3)
                                   from 1 for 6),
                           52, 1),
                   53, 1),
           'hex')::uuid
$$;

-- ---------------------------------------------------------------------------------------------------------
-- A ledger transaction has two or more entries: checked at commit (0001, deferred, one PL/pgSQL call per
-- transaction), or, for a transaction whose writer says that its entries come in the same statement
-- (entries_in_statement), at the end of that statement, for the whole statement at once. The batch path writes
-- each purchase's transaction and entries in one statement and says so. The rule is the same either way; a
-- writer who says so and does not post the entries in that statement is refused at once. Null (every row before
-- this column, and every writer that does not say so): checked at commit, as before.
alter table ledger_transactions add column entries_in_statement boolean;

-- The deferred check is not queued for rows that are checked at the end of their statement (the WHEN condition
-- of a constraint trigger is evaluated as the row is inserted; a row for which it is false is not queued).
drop trigger ledger_transactions_have_entries on ledger_transactions;
create constraint trigger ledger_transactions_have_entries after insert on ledger_transactions
  deferrable initially deferred
  for each row when (new.entries_in_statement is not true)
  execute function check_ledger_transaction_has_entries();

-- The statement-level checks of new ledger transactions (0008, 0010): their references, as before, and now the
-- entries of those that said they come in this statement. At the end of a statement its entries are all
-- inserted, and an entry can only belong to a transaction that exists by the end of the entry's own statement,
-- so "two or more entries now" is the rule of the deferred check, decided earlier. The entries' own statement
-- check (post_ledger_entries) still requires every transaction an entry touches to balance.
create or replace function check_ledger_transaction_references() returns trigger language plpgsql
set plan_cache_mode = force_generic_plan set enable_seqscan = off as $$
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
   limit 1;
  if missing is not null then
    raise exception 'ledger transaction % references a purchase, return, redemption, cancellation or adjustment that does not exist', missing
      using errcode = 'foreign_key_violation', constraint = 'ledger_transactions_references';
  end if;

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
-- The batch function. Against 0012: the items with postings are found in a hashed set of the posting items
-- (`in (select ...)`: a join of the call's own arrays, no table statistics involved) instead of comparing each
-- item with the whole postings array (500 x 1,000 comparisons per call of 500); its ledger transactions say that
-- their entries come in the same statement (entries_in_statement, above).
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
    insert into ledger_transactions as t (key, kind, purchase_id, effective_at, entries_in_statement)
    select i.ledger_key, 'purchase', i.id, i.purchased_at, true
      from input i join new_purchases n on n.id = i.id
     where i.item in (select p.item from unnest(p_posting_items) as p(item))
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

-- CREATE OR REPLACE keeps the grants (0009) but not the SET clauses of 0006 and 0012: set again.
alter function record_purchases(uuid[], uuid[], text[], uuid[], uuid[], integer[], integer[], timestamptz[],
                                bytea[], uuid[], numeric[], bigint[], text[], integer[], uuid[], bigint[], bigint[])
  set plan_cache_mode = force_generic_plan;
alter function record_purchases(uuid[], uuid[], text[], uuid[], uuid[], integer[], integer[], timestamptz[],
                                bytea[], uuid[], numeric[], bigint[], text[], integer[], uuid[], bigint[], bigint[])
  set enable_seqscan = off;
