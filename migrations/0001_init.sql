-- The loyalty ledger's schema. Every rule that finance relies on is enforced here, not only in the service:
-- code paths change, data stays.

-- Append-only tables refuse UPDATE, DELETE and TRUNCATE. A correction is a new row that references the old one.
create function refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '% on %.% is refused: the table is append-only', tg_op, tg_table_schema, tg_table_name
    using errcode = 'restrict_violation';
end $$;

create table customers (
  id          uuid primary key default gen_random_uuid(),
  first_name  text not null check (length(first_name) between 1 and 200),
  last_name   text not null check (length(last_name) between 1 and 200),
  created_at  timestamptz not null default now()
);

create table retailers (
  id          uuid primary key default gen_random_uuid(),
  name        text not null check (length(name) between 1 and 200),
  region      text check (length(region) between 1 and 100),
  timezone    text not null check (length(timezone) between 1 and 64),
  -- sha256 of the POS bearer token; the token itself is shown once and never stored.
  token_hash  bytea not null unique check (length(token_hash) = 32),
  created_at  timestamptz not null default now()
);

create table products (
  id           uuid primary key default gen_random_uuid(),
  name         text not null check (length(name) between 1 and 200),
  price_cents  integer not null check (price_cents between 0 and 10000000),
  created_at   timestamptz not null default now()
);

-- Promotions are versioned series: version 0 starts a series (its id is the series id), each revision appends
-- the next version. Only the highest version of a series is its rule.
create table promotions (
  id           uuid primary key default gen_random_uuid(),
  series_id    uuid not null,
  version      integer not null check (version >= 0),
  -- Commit-independent creation order: "newest series" in the precedence rules means highest seq of version 0.
  seq          bigint generated always as identity unique,
  product_id   uuid not null references products (id),
  retailer_id  uuid references retailers (id),
  region       text check (length(region) between 1 and 100),
  start_date   date not null,
  end_date     date not null,
  award_rate   numeric(12, 4) not null check (award_rate >= 0),
  created_at   timestamptz not null default now(),
  unique (series_id, version),
  check (end_date >= start_date),
  check (retailer_id is null or region is null),
  check ((version = 0) = (series_id = id))
);
create index promotions_product_idx on promotions (product_id);

-- A revision must follow the previous version of its own series and keep its product and scope.
create function check_promotion_revision() returns trigger language plpgsql as $$
begin
  if new.version > 0 and not exists (
    select 1 from promotions p
     where p.series_id = new.series_id and p.version = new.version - 1
       and p.product_id = new.product_id
       and p.retailer_id is not distinct from new.retailer_id
       and p.region is not distinct from new.region
  ) then
    raise exception 'promotion version % does not follow its series % with the same product and scope',
      new.version, new.series_id using errcode = 'check_violation';
  end if;
  return new;
end $$;
create trigger promotions_revision_check before insert on promotions
  for each row execute function check_promotion_revision();
create trigger promotions_append_only before update or delete on promotions
  for each row execute function refuse_change();
create trigger promotions_no_truncate before truncate on promotions
  for each statement execute function refuse_change();

create table purchases (
  id                 uuid primary key default gen_random_uuid(),
  retailer_id        uuid not null references retailers (id),
  transaction_id     text not null check (char_length(transaction_id) between 1 and 128),
  customer_id        uuid not null references customers (id),
  product_id         uuid not null references products (id),
  quantity           integer not null check (quantity between 1 and 10000),
  unit_price_cents   integer not null check (unit_price_cents between 0 and 10000000),
  total_price_cents  bigint not null,
  -- Snapshot of the rule that earned the points, so the award can be re-derived from the row alone.
  promotion_id       uuid references promotions (id),
  award_rate         numeric(12, 4),
  points_earned      bigint not null check (points_earned >= 0),
  purchased_at       timestamptz not null,
  recorded_at        timestamptz not null default now(),
  -- sha256 of the request as the POS sent it; decides replay versus IDEMPOTENCY_CONFLICT.
  payload_hash       bytea not null check (length(payload_hash) = 32),
  constraint purchases_idempotency_key unique (retailer_id, transaction_id),
  constraint purchases_total check (total_price_cents = quantity::bigint * unit_price_cents),
  constraint purchases_snapshot check ((promotion_id is null) = (award_rate is null)),
  -- The points formula itself: floor(total x rate / 100), never rounded up. div() is numeric's exact truncating
  -- quotient (the floor, as both factors are non-negative); "/" would first round the quotient to a scale
  -- PostgreSQL picks, which rounds x.999999 up for quotients from about 10^12 points.
  constraint purchases_points_formula
    check (points_earned = div(total_price_cents * coalesce(award_rate, 0), 100))
);
create index purchases_customer_idx on purchases (customer_id);
create trigger purchases_append_only before update or delete on purchases
  for each row execute function refuse_change();
create trigger purchases_no_truncate before truncate on purchases
  for each statement execute function refuse_change();

-- ---------------------------------------------------------------------------------------------------------
-- The double-entry ledger.
-- A customer's points account shares the customer's id. The program's liability account has a fixed id and
-- spreads its materialized balance over 64 bucket rows, so concurrent purchases do not queue on one row lock.
create table accounts (
  id               uuid primary key,
  code             text not null unique,
  kind             text not null check (kind in ('customer', 'liability')),
  customer_id      uuid unique references customers (id),
  balance_buckets  smallint not null default 1 check (balance_buckets between 1 and 1024),
  created_at       timestamptz not null default now(),
  check ((kind = 'customer') = (customer_id is not null)),
  check (kind <> 'customer' or id = customer_id)
);
create trigger accounts_append_only before update or delete on accounts
  for each row execute function refuse_change();
create trigger accounts_no_truncate before truncate on accounts
  for each statement execute function refuse_change();

insert into accounts (id, code, kind, balance_buckets)
values ('00000000-0000-0000-0000-00000000a001', 'program:liability', 'liability', 64);

-- Every customer has a points account from the moment it exists.
create function open_customer_account() returns trigger language plpgsql as $$
begin
  insert into accounts (id, code, kind, customer_id) values (new.id, 'customer:' || new.id, 'customer', new.id);
  return null;
end $$;
create trigger customers_open_account after insert on customers
  for each row execute function open_customer_account();

create table ledger_transactions (
  id            uuid primary key default gen_random_uuid(),
  key           text not null unique check (length(key) between 1 and 200),
  kind          text not null check (kind in ('purchase', 'correction')),
  purchase_id   uuid unique references purchases (id),
  corrects_id   uuid references ledger_transactions (id),
  effective_at  timestamptz not null,
  recorded_at   timestamptz not null default now(),
  check (kind <> 'purchase' or purchase_id is not null),
  check (kind <> 'correction' or corrects_id is not null)
);
create trigger ledger_transactions_append_only before update or delete on ledger_transactions
  for each row execute function refuse_change();
create trigger ledger_transactions_no_truncate before truncate on ledger_transactions
  for each statement execute function refuse_change();

create table ledger_entries (
  id              bigint generated always as identity primary key,
  transaction_id  uuid not null references ledger_transactions (id),
  account_id      uuid not null references accounts (id),
  amount          bigint not null check (amount <> 0)
);
create index ledger_entries_transaction_idx on ledger_entries (transaction_id);
create index ledger_entries_account_idx on ledger_entries (account_id, id);
create trigger ledger_entries_append_only before update or delete on ledger_entries
  for each row execute function refuse_change();
create trigger ledger_entries_no_truncate before truncate on ledger_entries
  for each statement execute function refuse_change();

-- Materialized balances: one row per (account, bucket). Only the ledger_entries trigger below writes them,
-- so a balance is always the sum of its account's entries.
create table account_balances (
  account_id  uuid not null references accounts (id),
  bucket      smallint not null check (bucket >= 0),
  balance     bigint not null,
  primary key (account_id, bucket)
);

create function refuse_direct_balance_write() returns trigger language plpgsql as $$
begin
  if pg_trigger_depth() < 2 then
    raise exception 'account balances are derived from ledger entries and cannot be written directly'
      using errcode = 'restrict_violation';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger account_balances_derived_only before insert or update or delete on account_balances
  for each row execute function refuse_direct_balance_write();
create trigger account_balances_no_truncate before truncate on account_balances
  for each statement execute function refuse_change();

-- After every INSERT into ledger_entries: each touched ledger transaction must balance to zero with at least
-- two entries (checked at statement end, so a half-written transaction can never be seen), then the
-- balances move by the same amounts in the same database transaction.
create function post_ledger_entries() returns trigger language plpgsql as $$
declare
  unbalanced uuid;
begin
  select t.transaction_id into unbalanced
    from (select distinct transaction_id from new_entries) t
    join ledger_entries e on e.transaction_id = t.transaction_id
   group by t.transaction_id
  having sum(e.amount) <> 0 or count(*) < 2
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
    from new_entries n join accounts a on a.id = n.account_id
   group by 1, 2
   order by 1, 2
  on conflict (account_id, bucket) do update set balance = account_balances.balance + excluded.balance;
  return null;
end $$;
create trigger ledger_entries_post after insert on ledger_entries
  referencing new table as new_entries
  for each statement execute function post_ledger_entries();

-- A ledger transaction without entries is refused at commit.
create function check_ledger_transaction_has_entries() returns trigger language plpgsql as $$
begin
  if (select count(*) from ledger_entries where transaction_id = new.id) < 2 then
    raise exception 'ledger transaction % has fewer than two entries', new.id
      using errcode = 'check_violation', constraint = 'ledger_transaction_balanced';
  end if;
  return null;
end $$;
create constraint trigger ledger_transactions_have_entries after insert on ledger_transactions
  deferrable initially deferred
  for each row execute function check_ledger_transaction_has_entries();

-- ---------------------------------------------------------------------------------------------------------
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
  p_posting_items integer[], p_posting_accounts uuid[], p_posting_amounts bigint[]
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
                  p_ledger_keys) with ordinality
           as u(id, retailer_id, transaction_id, customer_id, product_id, quantity, unit_price_cents,
                purchased_at, payload_hash, promotion_id, award_rate, points, ledger_key, item)
  ), new_purchases as (
    insert into purchases as x (id, retailer_id, transaction_id, customer_id, product_id, quantity,
                                unit_price_cents, total_price_cents, promotion_id, award_rate, points_earned,
                                purchased_at, payload_hash)
    select i.id, i.retailer_id, i.transaction_id, i.customer_id, i.product_id, i.quantity, i.unit_price_cents,
           i.quantity::bigint * i.unit_price_cents, i.promotion_id, i.award_rate, i.points, i.purchased_at,
           i.payload_hash
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
     where b.account_id in (select s.customer_id from stored s)
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
