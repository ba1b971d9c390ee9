-- The rest of the points lifecycle: returns, redemptions, their cancellations and adjustments
-- (docs/lifecycle.md, RULES.md "The points lifecycle").
--
-- Each movement is a row of its own append-only table and, when it moves points, one balanced ledger
-- transaction that references that row. Each kind posts against its own program account, so the trial balance
-- shows points issued (program:liability, by purchases), taken back, redeemed, given back and adjusted, and
-- those accounts with the customers' balances sum to zero.
--
-- Every decision that depends on a balance or on earlier movements (units left to return, points left to
-- redeem) is made inside one function below, under the customer's lock, in one round trip. The guards then hold
-- whatever code path writes the rows:
-- * a return's units_returned_before must equal the units of the purchase's earlier returns, and is unique per
--   purchase: two returns computed from the same state cannot both commit, whatever the isolation level;
-- * the units returned in all never exceed the units bought, and a return's points follow the cumulative formula
--   with the purchase's own snapshot (checked per statement);
-- * a redemption or a debit adjustment that leaves its customer's balance below zero is refused at commit;
-- * one cancellation per redemption (its primary key, and the ledger key 'cancellation:<redemption id>').

-- Program accounts, one per kind of movement. 'program:liability' (0001) stays the purchases' account.
alter table accounts drop constraint accounts_kind_check;
alter table accounts add constraint accounts_kind_check check (kind in ('customer', 'liability', 'program'));
insert into accounts (id, code, kind, balance_buckets) values
  ('00000000-0000-0000-0000-00000000a002', 'program:returns', 'program', 64),
  ('00000000-0000-0000-0000-00000000a003', 'program:redemptions', 'program', 64),
  ('00000000-0000-0000-0000-00000000a004', 'program:cancellations', 'program', 64),
  ('00000000-0000-0000-0000-00000000a005', 'program:adjustments', 'program', 64);

-- REWARDS tokens share the AUDITOR tokens' table and rules (created by ADMIN, stored hashed, revoked once).
alter table api_tokens drop constraint api_tokens_role_check;
alter table api_tokens add constraint api_tokens_role_check check (role in ('AUDITOR', 'REWARDS'));

-- Serializes every movement that debits a customer (returns, redemptions, debit adjustments, and cancellations
-- for symmetry). Purchases only credit and never take it. The two-key form keeps these locks apart from the
-- one-key locks of the back office (promotions).
create function lock_customer(p_customer_id uuid) returns void language sql as $$
  select pg_advisory_xact_lock(724311905, hashtext(p_customer_id::text))
$$;

-- A customer's balance now: the sum of its account's bucket rows (a customer's account has one).
create function customer_balance(p_customer_id uuid) returns bigint language sql stable as $$
  select coalesce(sum(b.balance), 0)::bigint from account_balances b where b.account_id = p_customer_id
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Returns.
create table purchase_returns (
  id                     uuid primary key,
  retailer_id            uuid not null,
  transaction_id         text not null check (char_length(transaction_id) between 1 and 128),
  purchase_id            uuid not null,
  customer_id            uuid not null,
  quantity               integer not null check (quantity between 1 and 10000),
  -- Units of the purchase returned by its earlier returns: the state this return was computed from.
  units_returned_before  integer not null check (units_returned_before between 0 and 9999),
  points_reversed        bigint not null check (points_reversed >= 0),
  returned_at            timestamptz not null,
  recorded_at            timestamptz not null default now(),
  -- sha256 of the request as the POS sent it: replay versus IDEMPOTENCY_CONFLICT.
  payload_hash           bytea not null check (length(payload_hash) = 32),
  committed_xid          xid8 default pg_current_xact_id(),
  constraint purchase_returns_idempotency_key unique (retailer_id, transaction_id),
  constraint purchase_returns_sequence unique (purchase_id, units_returned_before),
  constraint purchase_returns_units check (units_returned_before + quantity <= 10000)
);
create index purchase_returns_customer_idx on purchase_returns (customer_id);
create index purchase_returns_committed_xid_idx on purchase_returns (committed_xid);
create trigger purchase_returns_append_only before update or delete on purchase_returns
  for each row execute function refuse_change();
create trigger purchase_returns_no_truncate before truncate on purchase_returns
  for each statement execute function refuse_change();

-- Per statement: each new return names an existing purchase of its own retailer and customer, returns it after
-- the sale, and the purchase's returns form one sequence (each starts where the earlier ones end) that never
-- passes the units bought; its points are the cumulative formula's step:
--   floor((q - before) x price x rate / 100) - floor((q - before - quantity) x price x rate / 100).
create function check_purchase_returns() returns trigger language plpgsql as $$
declare
  bad uuid;
begin
  select n.id into bad
    from new_returns n
    left join lateral (select p.* from purchases p where p.id = n.purchase_id offset 0) p on true
   where p.id is null
      or p.retailer_id <> n.retailer_id
      or p.customer_id <> n.customer_id
      or n.returned_at < p.purchased_at
      or n.units_returned_before + n.quantity > p.quantity
      or n.points_reversed <>
         div((p.quantity - n.units_returned_before)::bigint * p.unit_price_cents * coalesce(p.award_rate, 0), 100)
         - div((p.quantity - n.units_returned_before - n.quantity)::bigint * p.unit_price_cents
               * coalesce(p.award_rate, 0), 100)
   limit 1;
  if bad is not null then
    raise exception 'return % does not match its purchase (retailer, customer, time, units or points)', bad
      using errcode = 'check_violation', constraint = 'purchase_returns_match_purchase';
  end if;

  select n.purchase_id into bad
    from (select distinct purchase_id from new_returns) n
    cross join lateral (
      select bool_and(r.units_returned_before = r.units_before) as chained
        from (select x.units_returned_before,
                     coalesce(sum(x.quantity) over (order by x.units_returned_before
                                                    rows between unbounded preceding and 1 preceding), 0) as units_before
                from purchase_returns x where x.purchase_id = n.purchase_id offset 0) r) s
   where not s.chained
   limit 1;
  if bad is not null then
    raise exception 'the returns of purchase % do not follow one another', bad
      using errcode = 'check_violation', constraint = 'purchase_returns_sequence';
  end if;
  return null;
end $$ set plan_cache_mode = force_generic_plan set enable_seqscan = off;
create trigger purchase_returns_checks after insert on purchase_returns
  referencing new table as new_returns
  for each statement execute function check_purchase_returns();

-- ---------------------------------------------------------------------------------------------------------
-- Redemptions and their cancellations.
create table redemptions (
  id                uuid primary key,
  idempotency_key   text not null check (char_length(idempotency_key) between 1 and 128),
  customer_id       uuid not null,
  points            bigint not null check (points >= 1),
  reward_reference  text not null check (char_length(reward_reference) between 1 and 200),
  -- Who asked: the REWARDS token's name, or the ADMIN identity.
  actor             text not null check (char_length(actor) between 1 and 200),
  redeemed_at       timestamptz not null default now(),
  payload_hash      bytea not null check (length(payload_hash) = 32),
  committed_xid     xid8 default pg_current_xact_id(),
  constraint redemptions_idempotency_key unique (idempotency_key)
);
create index redemptions_customer_idx on redemptions (customer_id);
create index redemptions_committed_xid_idx on redemptions (committed_xid);
create trigger redemptions_append_only before update or delete on redemptions
  for each row execute function refuse_change();
create trigger redemptions_no_truncate before truncate on redemptions
  for each statement execute function refuse_change();

-- A cancellation is its own row, never an edit of the redemption: at most one per redemption.
create table redemption_cancellations (
  redemption_id  uuid primary key,
  actor          text not null check (char_length(actor) between 1 and 200),
  cancelled_at   timestamptz not null default now(),
  committed_xid  xid8 default pg_current_xact_id()
);
create index redemption_cancellations_committed_xid_idx on redemption_cancellations (committed_xid);
create trigger redemption_cancellations_append_only before update or delete on redemption_cancellations
  for each row execute function refuse_change();
create trigger redemption_cancellations_no_truncate before truncate on redemption_cancellations
  for each statement execute function refuse_change();

-- ---------------------------------------------------------------------------------------------------------
-- Adjustments.
create table points_adjustments (
  id               uuid primary key,
  idempotency_key  text not null check (char_length(idempotency_key) between 1 and 128),
  customer_id      uuid not null,
  points           bigint not null check (points <> 0),
  reason           text not null check (char_length(reason) between 1 and 500),
  -- From the caller's token, never from the input.
  actor            text not null check (char_length(actor) between 1 and 200),
  created_at       timestamptz not null default now(),
  payload_hash     bytea not null check (length(payload_hash) = 32),
  committed_xid    xid8 default pg_current_xact_id(),
  constraint points_adjustments_idempotency_key unique (idempotency_key)
);
create index points_adjustments_customer_idx on points_adjustments (customer_id);
create index points_adjustments_committed_xid_idx on points_adjustments (committed_xid);
create trigger points_adjustments_append_only before update or delete on points_adjustments
  for each row execute function refuse_change();
create trigger points_adjustments_no_truncate before truncate on points_adjustments
  for each statement execute function refuse_change();

-- References of redemptions, cancellations and adjustments, per statement (the style of 0008).
create function check_redemption_references() returns trigger language plpgsql as $$
declare
  missing uuid;
begin
  select n.id into missing from new_rows n
   where not exists (select 1 from customers c where c.id = n.customer_id offset 0) limit 1;
  if missing is not null then
    raise exception '% % references a customer that does not exist', tg_table_name, missing
      using errcode = 'foreign_key_violation', constraint = tg_table_name || '_references';
  end if;
  return null;
end $$ set plan_cache_mode = force_generic_plan set enable_seqscan = off;
create trigger redemptions_references after insert on redemptions
  referencing new table as new_rows for each statement execute function check_redemption_references();
create trigger points_adjustments_references after insert on points_adjustments
  referencing new table as new_rows for each statement execute function check_redemption_references();

create function check_cancellation_references() returns trigger language plpgsql as $$
declare
  missing uuid;
begin
  select n.redemption_id into missing from new_rows n
   where not exists (select 1 from redemptions r where r.id = n.redemption_id offset 0) limit 1;
  if missing is not null then
    raise exception 'cancellation of % references a redemption that does not exist', missing
      using errcode = 'foreign_key_violation', constraint = 'redemption_cancellations_references';
  end if;
  return null;
end $$ set plan_cache_mode = force_generic_plan set enable_seqscan = off;
create trigger redemption_cancellations_references after insert on redemption_cancellations
  referencing new table as new_rows for each statement execute function check_cancellation_references();

-- Nothing but a return may take a balance below zero: at commit, the customer of a redemption or of a debit
-- adjustment must not owe points. Deferred, so it sees the transaction's entries and every debit committed
-- before it (a concurrent debit's balance row is locked until it commits: the later one sees the sum).
create function check_balance_not_negative() returns trigger language plpgsql as $$
declare
  balance bigint;
begin
  select coalesce(sum(b.balance), 0) into balance from account_balances b where b.account_id = new.customer_id;
  if balance < 0 then
    raise exception 'the balance of customer % would be % after %: only a return may take it below zero',
      new.customer_id, balance, tg_table_name
      using errcode = 'check_violation', constraint = 'customer_balance_not_negative';
  end if;
  return null;
end $$;
create constraint trigger redemptions_balance_not_negative after insert on redemptions
  deferrable initially deferred
  for each row execute function check_balance_not_negative();
create constraint trigger points_adjustments_balance_not_negative after insert on points_adjustments
  deferrable initially deferred
  for each row when (new.points < 0) execute function check_balance_not_negative();

-- ---------------------------------------------------------------------------------------------------------
-- The ledger transactions of the new kinds reference their rows; each row has at most one transaction.
alter table ledger_transactions drop constraint ledger_transactions_kind_check;
alter table ledger_transactions add constraint ledger_transactions_kind_check
  check (kind in ('purchase', 'correction', 'return', 'redemption', 'cancellation', 'adjustment'));
alter table ledger_transactions
  add column return_id uuid,
  add column redemption_id uuid,
  add column adjustment_id uuid;
alter table ledger_transactions add constraint ledger_transactions_movement_reference check (
  (kind = 'return') = (return_id is not null)
  and (kind in ('redemption', 'cancellation')) = (redemption_id is not null)
  and (kind = 'adjustment') = (adjustment_id is not null));
-- Partial: the purchase path's rows (all null here) add no index entry.
create unique index ledger_transactions_return_idx on ledger_transactions (return_id) where return_id is not null;
create unique index ledger_transactions_redemption_idx on ledger_transactions (redemption_id, kind)
  where redemption_id is not null;
create unique index ledger_transactions_adjustment_idx on ledger_transactions (adjustment_id)
  where adjustment_id is not null;

create or replace function check_ledger_transaction_references() returns trigger language plpgsql as $$
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
  return null;
end $$ set plan_cache_mode = force_generic_plan set enable_seqscan = off;

-- ---------------------------------------------------------------------------------------------------------
-- The operations. Each runs in the caller's transaction (one statement: one round trip), takes the customer's
-- lock, then decides on what committed before it. Outcomes:
--   recorded / replayed / conflict    as for purchases (conflict: the key holds another payload)
--   purchase_not_found, customer_not_found, not_found
--   units_exceeded, before_purchase   (returns: BAD_USER_INPUT)
--   insufficient                      (redemptions and debit adjustments: INSUFFICIENT_POINTS)
-- A refused operation writes nothing, so its key stays free.

-- Posts a movement's two entries: the customer's and its program account's, opposite amounts.
create function post_movement(p_transaction_id uuid, p_customer_id uuid, p_program_account uuid, p_customer_amount bigint)
returns void language sql as $$
  insert into ledger_entries (transaction_id, account_id, amount)
  values (p_transaction_id, p_customer_id, p_customer_amount), (p_transaction_id, p_program_account, -p_customer_amount)
$$;

create function record_return(
  p_id uuid, p_retailer_id uuid, p_transaction_id text, p_purchase_transaction_id text, p_quantity integer,
  p_returned_at timestamptz, p_payload_hash bytea
) returns table (
  outcome text, id uuid, transaction_id text, retailer_id uuid, purchase_id uuid, customer_id uuid,
  quantity integer, points_reversed bigint, returned_at timestamptz, recorded_at timestamptz, customer_balance bigint
) language plpgsql as $$
declare
  v_purchase purchases%rowtype;
  v_existing purchase_returns%rowtype;
  v_before integer;
  v_points bigint;
  v_returned_at timestamptz := coalesce(p_returned_at, now());
  v_transaction uuid;
begin
  select p.* into v_purchase from purchases p
   where p.retailer_id = p_retailer_id and p.transaction_id = p_purchase_transaction_id;
  if not found then
    -- The key may already hold a return (its purchase cannot vanish): answer it rather than "not found".
    select r.* into v_existing from purchase_returns r
     where r.retailer_id = p_retailer_id and r.transaction_id = p_transaction_id;
    if not found then
      return query select 'purchase_not_found', null::uuid, null::text, null::uuid, null::uuid, null::uuid,
                          null::integer, null::bigint, null::timestamptz, null::timestamptz, null::bigint;
      return;
    end if;
  else
    perform lock_customer(v_purchase.customer_id);
    select r.* into v_existing from purchase_returns r
     where r.retailer_id = p_retailer_id and r.transaction_id = p_transaction_id;
  end if;

  if v_existing.id is null then
    select coalesce(sum(r.quantity), 0) into v_before from purchase_returns r where r.purchase_id = v_purchase.id;
    if v_before + p_quantity > v_purchase.quantity then
      return query select 'units_exceeded', null::uuid, null::text, null::uuid, v_purchase.id, v_purchase.customer_id,
                          (v_purchase.quantity - v_before)::integer, null::bigint, null::timestamptz,
                          null::timestamptz, null::bigint;
      return;
    end if;
    if v_returned_at < v_purchase.purchased_at then
      return query select 'before_purchase', null::uuid, null::text, null::uuid, v_purchase.id, v_purchase.customer_id,
                          null::integer, null::bigint, v_purchase.purchased_at, null::timestamptz, null::bigint;
      return;
    end if;
    v_points := div((v_purchase.quantity - v_before)::bigint * v_purchase.unit_price_cents
                     * coalesce(v_purchase.award_rate, 0), 100)
              - div((v_purchase.quantity - v_before - p_quantity)::bigint * v_purchase.unit_price_cents
                    * coalesce(v_purchase.award_rate, 0), 100);
    insert into purchase_returns as r (id, retailer_id, transaction_id, purchase_id, customer_id, quantity,
                                       units_returned_before, points_reversed, returned_at, payload_hash)
    values (p_id, p_retailer_id, p_transaction_id, v_purchase.id, v_purchase.customer_id, p_quantity, v_before,
            v_points, v_returned_at, p_payload_hash)
    on conflict on constraint purchase_returns_idempotency_key do nothing;
    if found then
      if v_points > 0 then
        insert into ledger_transactions (key, kind, return_id, effective_at)
        values ('return:' || p_id, 'return', p_id, v_returned_at) returning ledger_transactions.id into v_transaction;
        perform post_movement(v_transaction, v_purchase.customer_id, '00000000-0000-0000-0000-00000000a002', -v_points);
      end if;
    end if;
    select r.* into v_existing from purchase_returns r
     where r.retailer_id = p_retailer_id and r.transaction_id = p_transaction_id;
  end if;

  return query select
    case when v_existing.id = p_id then 'recorded'
         when v_existing.payload_hash = p_payload_hash then 'replayed' else 'conflict' end,
    v_existing.id, v_existing.transaction_id, v_existing.retailer_id, v_existing.purchase_id, v_existing.customer_id,
    v_existing.quantity, v_existing.points_reversed, v_existing.returned_at, v_existing.recorded_at,
    customer_balance(v_existing.customer_id);
end $$;

create function redeem_points(
  p_id uuid, p_idempotency_key text, p_customer_id uuid, p_points bigint, p_reward_reference text, p_actor text,
  p_payload_hash bytea
) returns table (
  outcome text, id uuid, idempotency_key text, customer_id uuid, points bigint, reward_reference text, actor text,
  redeemed_at timestamptz, cancelled_at timestamptz, customer_balance bigint
) language plpgsql as $$
declare
  v_existing redemptions%rowtype;
  v_balance bigint;
  v_transaction uuid;
begin
  perform lock_customer(p_customer_id);
  select r.* into v_existing from redemptions r where r.idempotency_key = p_idempotency_key;
  if not found then
    if not exists (select 1 from customers c where c.id = p_customer_id) then
      return query select 'customer_not_found', null::uuid, null::text, null::uuid, null::bigint, null::text,
                          null::text, null::timestamptz, null::timestamptz, null::bigint;
      return;
    end if;
    v_balance := customer_balance(p_customer_id);
    if v_balance < p_points then
      return query select 'insufficient', null::uuid, null::text, p_customer_id, null::bigint, null::text,
                          null::text, null::timestamptz, null::timestamptz, v_balance;
      return;
    end if;
    insert into redemptions (id, idempotency_key, customer_id, points, reward_reference, actor, payload_hash)
    values (p_id, p_idempotency_key, p_customer_id, p_points, p_reward_reference, p_actor, p_payload_hash)
    on conflict on constraint redemptions_idempotency_key do nothing;
    if found then
      insert into ledger_transactions (key, kind, redemption_id, effective_at)
      values ('redemption:' || p_id, 'redemption', p_id, now()) returning ledger_transactions.id into v_transaction;
      perform post_movement(v_transaction, p_customer_id, '00000000-0000-0000-0000-00000000a003', -p_points);
    end if;
    select r.* into v_existing from redemptions r where r.idempotency_key = p_idempotency_key;
  end if;

  return query select
    case when v_existing.id = p_id then 'recorded'
         when v_existing.payload_hash = p_payload_hash then 'replayed' else 'conflict' end,
    v_existing.id, v_existing.idempotency_key, v_existing.customer_id, v_existing.points,
    v_existing.reward_reference, v_existing.actor, v_existing.redeemed_at,
    (select c.cancelled_at from redemption_cancellations c where c.redemption_id = v_existing.id),
    customer_balance(v_existing.customer_id);
end $$;

create function cancel_redemption(p_redemption_id uuid, p_actor text) returns table (
  outcome text, id uuid, idempotency_key text, customer_id uuid, points bigint, reward_reference text, actor text,
  redeemed_at timestamptz, cancelled_at timestamptz, customer_balance bigint
) language plpgsql as $$
declare
  v_redemption redemptions%rowtype;
  v_transaction uuid;
  v_outcome text := 'replayed';
begin
  select r.* into v_redemption from redemptions r where r.id = p_redemption_id;
  if not found then
    return query select 'not_found', null::uuid, null::text, null::uuid, null::bigint, null::text, null::text,
                        null::timestamptz, null::timestamptz, null::bigint;
    return;
  end if;
  perform lock_customer(v_redemption.customer_id);
  insert into redemption_cancellations (redemption_id, actor) values (p_redemption_id, p_actor)
  on conflict (redemption_id) do nothing;
  if found then
    v_outcome := 'recorded';
    insert into ledger_transactions (key, kind, redemption_id, effective_at)
    values ('cancellation:' || p_redemption_id, 'cancellation', p_redemption_id, now())
    returning ledger_transactions.id into v_transaction;
    perform post_movement(v_transaction, v_redemption.customer_id, '00000000-0000-0000-0000-00000000a004',
                          v_redemption.points);
  end if;
  return query select v_outcome, v_redemption.id, v_redemption.idempotency_key, v_redemption.customer_id,
    v_redemption.points, v_redemption.reward_reference, v_redemption.actor, v_redemption.redeemed_at,
    (select c.cancelled_at from redemption_cancellations c where c.redemption_id = v_redemption.id),
    customer_balance(v_redemption.customer_id);
end $$;

create function adjust_points(
  p_id uuid, p_idempotency_key text, p_customer_id uuid, p_points bigint, p_reason text, p_actor text,
  p_payload_hash bytea
) returns table (
  outcome text, id uuid, idempotency_key text, customer_id uuid, points bigint, reason text, actor text,
  created_at timestamptz, customer_balance bigint
) language plpgsql as $$
declare
  v_existing points_adjustments%rowtype;
  v_balance bigint;
  v_transaction uuid;
begin
  perform lock_customer(p_customer_id);
  select a.* into v_existing from points_adjustments a where a.idempotency_key = p_idempotency_key;
  if not found then
    if not exists (select 1 from customers c where c.id = p_customer_id) then
      return query select 'customer_not_found', null::uuid, null::text, null::uuid, null::bigint, null::text,
                          null::text, null::timestamptz, null::bigint;
      return;
    end if;
    v_balance := customer_balance(p_customer_id);
    if p_points < 0 and v_balance + p_points < 0 then
      return query select 'insufficient', null::uuid, null::text, p_customer_id, null::bigint, null::text,
                          null::text, null::timestamptz, v_balance;
      return;
    end if;
    insert into points_adjustments (id, idempotency_key, customer_id, points, reason, actor, payload_hash)
    values (p_id, p_idempotency_key, p_customer_id, p_points, p_reason, p_actor, p_payload_hash)
    on conflict on constraint points_adjustments_idempotency_key do nothing;
    if found then
      insert into ledger_transactions (key, kind, adjustment_id, effective_at)
      values ('adjustment:' || p_id, 'adjustment', p_id, now()) returning ledger_transactions.id into v_transaction;
      perform post_movement(v_transaction, p_customer_id, '00000000-0000-0000-0000-00000000a005', p_points);
    end if;
    select a.* into v_existing from points_adjustments a where a.idempotency_key = p_idempotency_key;
  end if;

  return query select
    case when v_existing.id = p_id then 'recorded'
         when v_existing.payload_hash = p_payload_hash then 'replayed' else 'conflict' end,
    v_existing.id, v_existing.idempotency_key, v_existing.customer_id, v_existing.points, v_existing.reason,
    v_existing.actor, v_existing.created_at, customer_balance(v_existing.customer_id);
end $$;

-- ---------------------------------------------------------------------------------------------------------
-- The service's rights (0009): it inserts and reads the new rows and calls the four operations; the helpers
-- they call run with the caller's rights too.
grant select, insert on purchase_returns, redemptions, redemption_cancellations, points_adjustments to loyalty_service;
grant execute on function record_return(uuid, uuid, text, text, integer, timestamptz, bytea) to loyalty_service;
grant execute on function redeem_points(uuid, text, uuid, bigint, text, text, bytea) to loyalty_service;
grant execute on function cancel_redemption(uuid, text) to loyalty_service;
grant execute on function adjust_points(uuid, text, uuid, bigint, text, text, bytea) to loyalty_service;
grant execute on function lock_customer(uuid) to loyalty_service;
grant execute on function customer_balance(uuid) to loyalty_service;
grant execute on function post_movement(uuid, uuid, uuid, bigint) to loyalty_service;
