-- PL/pgSQL caches a generic plan for each statement of a function after a few calls on a connection, planned
-- with the table sizes of that moment. On a new or emptied database those tables are tiny, so the purchase
-- path's lookups (a batch's stored purchases by key, a transaction's entries) were cached as sequential scans
-- and kept as such while the tables grew: throughput fell call after call until the service reconnected
-- (hot-customer benchmark: 2,834 -> 1,581 purchases/s over four consecutive runs, 3,300/s steady after a
-- restart). Planning each call afresh costs far less than one stale scan.
alter function record_purchases(uuid[], uuid[], text[], uuid[], uuid[], integer[], integer[], timestamptz[],
                                bytea[], uuid[], numeric[], bigint[], text[], integer[], uuid[], bigint[], bigint[])
  set plan_cache_mode = force_custom_plan;
alter function post_ledger_entries() set plan_cache_mode = force_custom_plan;
alter function check_ledger_transaction_has_entries() set plan_cache_mode = force_custom_plan;
