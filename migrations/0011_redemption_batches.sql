-- Redemptions share database transactions (group commit), as purchases do (0001, 0006).
--
-- One redemption per transaction cost ~0.8-1.0 ms of the database's CPU (about 12 statements and 5 trigger
-- firings) plus a commit and its WAL flush, and the redemptions of one customer waited for each other's commit
-- on the customer's lock. redeem_points_batch() decides a whole batch of concurrent redemptions under their
-- customers' locks and writes it with one insert per table, so the statement-level triggers fire once per batch
-- and one commit (one flush) serves all of them.
--
-- Contract: the outcome of every item is EXACTLY what redeem_points() of 0010 would have answered had the items
-- been passed to it one after another, in item order, inside one transaction:
-- * a key already stored, or recorded by an earlier item of the batch, is replayed (same payload digest) or a
--   conflict (another one); nothing is written for it;
-- * a refusal (customer_not_found, insufficient) writes nothing, so a later item with the same key is judged
--   afresh;
-- * the items of one customer are judged against its running balance in item order: item k is recorded iff the
--   balance left by the batch's earlier items covers its points (greedy, not the best packing);
-- * customer_balance is that customer's balance right after the item's own turn in that sequence: for a recorded
--   item, after its own debit and none of the later ones; for insufficient, the balance it was refused against;
--   for replayed and conflict, the balance of the stored redemption's customer at that point (read at the start
--   of the batch when that customer is not one of the batch's: a plain read, as redeem_points() makes);
-- * a key that another transaction commits while the batch waits to insert it (another customer's redemption
--   under the same key: no lock of the batch covers it) is answered as stored, as redeem_points() did, in a batch
--   of one; a larger batch fails with serialization_failure, since its later items were judged as if that item
--   had been recorded, and the service decides its items again one at a time.
--
-- Locking: the advisory locks of all the batch's customers are taken first, by lock_customer() (so single
-- returns, adjustments and cancellations of those customers wait for the whole batch), in ascending order of the
-- lock's key and then of the customer id. Every batch takes its locks in that one order, so two batches cannot
-- deadlock; ordering by the key rather than by the id alone matters when two customers' ids hash to one key.
-- Redemption rows are inserted in idempotency-key order (two batches that race on a key wait on each other's
-- keys in one order), and the entries' trigger locks balance rows in account order, as for purchase batches.
--
-- Plans: as in 0006, made once per connection (force_generic_plan) with sequential scans off, and every stored
-- row reached by a key through a LATERAL subquery behind OFFSET 0 (test/integration/purchase-plans.test.ts).
create function redeem_points_batch(
  p_ids uuid[], p_keys text[], p_customer_ids uuid[], p_points bigint[], p_rewards text[], p_actors text[],
  p_hashes bytea[]
) returns table (
  item integer, outcome text, id uuid, idempotency_key text, customer_id uuid, points bigint, reward_reference text,
  actor text, redeemed_at timestamptz, cancelled_at timestamptz, customer_balance bigint
) language plpgsql as $$
declare
  v_count integer := coalesce(cardinality(p_ids), 0);
  -- The keys the sequence has seen so far: those stored before the batch, then each one an item records. Index k
  -- of the four arrays describes one key's redemption.
  v_keys text[];
  v_key_ids uuid[];
  v_key_hashes bytea[];
  v_key_customers uuid[];
  -- Every customer an answer names (the batch's and the stored keys' customers): whether it exists, and its
  -- balance as the sequence has left it so far.
  v_customers uuid[];
  v_exists boolean[];
  v_balances bigint[];
  -- Per item: the outcome decided and the balance to answer with; the items to write.
  v_outcomes text[] := array_fill(null::text, array[v_count]);
  v_item_balances bigint[] := array_fill(null::bigint, array[v_count]);
  v_recorded integer[] := '{}';
  v_customer uuid;
  v_key integer;
  v_at integer;
  v_written bigint;
begin
  if coalesce(cardinality(p_keys), 0) <> v_count or coalesce(cardinality(p_customer_ids), 0) <> v_count
     or coalesce(cardinality(p_points), 0) <> v_count or coalesce(cardinality(p_rewards), 0) <> v_count
     or coalesce(cardinality(p_actors), 0) <> v_count or coalesce(cardinality(p_hashes), 0) <> v_count then
    raise exception 'redeem_points_batch: every array must have one element per item (% ids)', v_count
      using errcode = 'invalid_parameter_value';
  end if;

  -- A loop, so that the order in which the locks are taken is the order of the query.
  for v_customer in
    select d.c from (select distinct u.c from unnest(p_customer_ids) as u(c)) d order by hashtext(d.c::text), d.c
  loop
    perform lock_customer(v_customer);
  end loop;

  select coalesce(array_agg(r.idempotency_key), '{}'), coalesce(array_agg(r.id), '{}'),
         coalesce(array_agg(r.payload_hash), '{}'), coalesce(array_agg(r.customer_id), '{}')
    into v_keys, v_key_ids, v_key_hashes, v_key_customers
    from (select distinct u.k from unnest(p_keys) as u(k)) d
    cross join lateral (select x.* from redemptions x where x.idempotency_key = d.k offset 0) r;

  select coalesce(array_agg(d.c), '{}'), coalesce(array_agg(e.found), '{}'), coalesce(array_agg(b.balance), '{}')
    into v_customers, v_exists, v_balances
    from (select distinct u.c from unnest(p_customer_ids || v_key_customers) as u(c) where u.c is not null) d
    cross join lateral (select exists (select 1 from customers x where x.id = d.c offset 0) as found) e
    cross join lateral (select coalesce(sum(x.balance), 0)::bigint as balance
                          from account_balances x where x.account_id = d.c offset 0) b;

  -- The decisions, in item order, on the running state above: expressions only, no statement per item.
  for i in 1 .. v_count loop
    v_key := array_position(v_keys, p_keys[i]);
    if v_key is not null then
      v_outcomes[i] := case when v_key_ids[v_key] = p_ids[i] then 'recorded'
                            when v_key_hashes[v_key] = p_hashes[i] then 'replayed' else 'conflict' end;
      v_item_balances[i] := v_balances[array_position(v_customers, v_key_customers[v_key])];
    else
      v_at := array_position(v_customers, p_customer_ids[i]);
      if v_at is null or not v_exists[v_at] then
        v_outcomes[i] := 'customer_not_found';
      elsif v_balances[v_at] < p_points[i] then
        v_outcomes[i] := 'insufficient';
        v_item_balances[i] := v_balances[v_at];
      else
        v_outcomes[i] := 'recorded';
        v_balances[v_at] := v_balances[v_at] - p_points[i];
        v_item_balances[i] := v_balances[v_at];
        v_keys := array_append(v_keys, p_keys[i]);
        v_key_ids := array_append(v_key_ids, p_ids[i]);
        v_key_hashes := array_append(v_key_hashes, p_hashes[i]);
        v_key_customers := array_append(v_key_customers, p_customer_ids[i]);
        v_recorded := array_append(v_recorded, i);
      end if;
    end if;
  end loop;

  if cardinality(v_recorded) > 0 then
    -- One insert per table for the whole batch. A key another transaction committed meanwhile (a concurrent
    -- redemption of another customer under the same key: the lock above does not cover it) is skipped here, and
    -- gets no ledger transaction.
    with new_redemptions as (
      insert into redemptions as r (id, idempotency_key, customer_id, points, reward_reference, actor, payload_hash)
      select p_ids[w.i], p_keys[w.i], p_customer_ids[w.i], p_points[w.i], p_rewards[w.i], p_actors[w.i], p_hashes[w.i]
        from unnest(v_recorded) as w(i)
       order by p_keys[w.i]
      on conflict on constraint redemptions_idempotency_key do nothing
      returning r.id, r.customer_id, r.points
    ), new_transactions as (
      insert into ledger_transactions as t (key, kind, redemption_id, effective_at)
      select 'redemption:' || n.id, 'redemption', n.id, now() from new_redemptions n
      returning t.id, t.redemption_id
    )
    insert into ledger_entries (transaction_id, account_id, amount)
    select t.id, e.account_id, e.amount
      from new_transactions t
      join new_redemptions n on n.id = t.redemption_id
      cross join lateral (values (n.customer_id, -n.points),
                                 ('00000000-0000-0000-0000-00000000a003'::uuid, n.points)) as e(account_id, amount);
    get diagnostics v_written = row_count;
    -- A skipped key changes what the later items of the batch would have been judged against: decided again one
    -- by one (the service retries a failed batch one redemption at a time, where a skip is answered below).
    if v_written <> 2 * cardinality(v_recorded) and v_count > 1 then
      raise exception 'redeem_points_batch: a concurrent redemption took one of the batch''s keys'
        using errcode = 'serialization_failure';
    end if;
  end if;

  -- Every item answered with the row its key holds now. Refusals answer from the decision alone: a later item
  -- may have recorded the same key since. A stored row other than the one decided on (only a skipped key, in a
  -- batch of one) is answered with its customer's balance now.
  return query
  select u.item::integer, a.outcome, s.id, s.idempotency_key,
         case when u.decided = 'insufficient' then u.customer_id else s.customer_id end,
         s.points, s.reward_reference, s.actor, s.redeemed_at,
         (select c.cancelled_at from redemption_cancellations c where c.redemption_id = s.id offset 0),
         case when a.outcome = u.decided then u.balance else customer_balance(s.customer_id) end
    from unnest(p_ids, p_keys, p_customer_ids, p_hashes, v_outcomes, v_item_balances) with ordinality
         as u(id, key, customer_id, payload_hash, decided, balance, item)
    left join lateral (select x.* from redemptions x
                        where x.idempotency_key = u.key and u.decided in ('recorded', 'replayed', 'conflict')
                       offset 0) s on true
    cross join lateral (select case when s.id is null then u.decided
                                    when s.id = u.id then 'recorded'
                                    when s.payload_hash = u.payload_hash then 'replayed'
                                    else 'conflict' end as outcome) a
   order by u.item;
end $$ set plan_cache_mode = force_generic_plan set enable_seqscan = off;

-- redeem_points() is a batch of one: one implementation of the rules above. Its signature, result and grant are
-- those of 0010; the deferred balance guard of 0010 still checks every redemption at commit.
create or replace function redeem_points(
  p_id uuid, p_idempotency_key text, p_customer_id uuid, p_points bigint, p_reward_reference text, p_actor text,
  p_payload_hash bytea
) returns table (
  outcome text, id uuid, idempotency_key text, customer_id uuid, points bigint, reward_reference text, actor text,
  redeemed_at timestamptz, cancelled_at timestamptz, customer_balance bigint
) language sql as $$
  select b.outcome, b.id, b.idempotency_key, b.customer_id, b.points, b.reward_reference, b.actor, b.redeemed_at,
         b.cancelled_at, b.customer_balance
    from redeem_points_batch(array[p_id], array[p_idempotency_key], array[p_customer_id], array[p_points],
                             array[p_reward_reference], array[p_actor], array[p_payload_hash]) b
$$;

-- The deferred balance guard of 0010 runs once per redemption (and debit adjustment) at commit. Its cached plan,
-- made while account_balances looked tiny, was a sequential scan of every balance row (seen in
-- test/integration/purchase-plans.test.ts): planned once per connection like the rest of the path, as a
-- primary-key lookup whatever the statistics say.
alter function check_balance_not_negative() set plan_cache_mode = force_generic_plan;
alter function check_balance_not_negative() set enable_seqscan = off;

grant execute on function redeem_points_batch(uuid[], text[], uuid[], bigint[], text[], text[], bytea[])
  to loyalty_service;
