-- Replaces 0005's per-call planning of the purchase path with plans made once per connection that cannot
-- degrade as the tables grow.
--
-- 0005 planned every statement of record_purchases() and of the ledger triggers on every call, because the
-- generic plans PL/pgSQL caches per connection had been made while a new database's tables were tiny (sequential
-- scans) and were kept as the tables grew. Planning every call cost about 30 % of the database's CPU per
-- purchase (profiled: the function's two statements, the balance trigger and the deferred entries check).
--
-- Every table these statements read is reached by a key (purchases by idempotency key, customers, accounts and
-- balances by primary key, entries by ledger transaction), so a sequential scan is never the right plan here,
-- whatever the statistics say. With sequential scans ruled out the plans are index lookups at any table size,
-- including an empty one; they are made once per connection and reused (force_generic_plan skips the five
-- trial custom plans). Only these functions run with these settings; every other query is planned as usual.
-- Measured with the database alone, batches of 21 purchases, 3 at a time: 5,500-6,300 -> 10,400 purchases/s.
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
