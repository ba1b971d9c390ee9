-- The service's database role: it may do what the running service does and nothing else, so that neither a bug
-- nor an injected statement can rewrite history (docs/decisions/0007-least-privilege-roles.md).
--
-- Migrations run as the schema owner, which owns every table and function; the service connects as a login
-- role that is a member of the group role `loyalty_service` below and holds only its grants: no UPDATE, DELETE
-- or TRUNCATE on a ledger table (the triggers of 0001 refuse them too, but an owner could disable those), no
-- ALTER or DROP (only an owner may), no CREATE in the schema, no superuser settings (session_replication_role
-- would skip every trigger).
--
-- LATER MIGRATIONS: a new table, column-level write or callable function is invisible to the service until a
-- migration grants it to loyalty_service. The test suite runs the service as this role and
-- test/integration/service-role.test.ts compares its grants with an exact list, so a missing or a broader grant
-- fails a test. A function dropped and created again loses its grants (CREATE OR REPLACE keeps them).

-- Roles belong to the cluster, not to the database: another database of the cluster may have made it already,
-- possibly at this very moment.
do $$
begin
  if not exists (select from pg_roles where rolname = 'loyalty_service') then
    create role loyalty_service nologin;
  end if;
exception when duplicate_object or unique_violation then
  null;
end $$;

-- Nothing for PUBLIC (every role of the cluster). PostgreSQL 15 no longer lets PUBLIC create in schema public,
-- but a cluster upgraded from an older version keeps the old grant. Only the schema's owner can take it back:
-- otherwise the service warns at start that its role may create objects.
do $$
begin
  if has_schema_privilege('public', 'public', 'CREATE') then
    revoke create on schema public from public;
  end if;
exception when insufficient_privilege then
  raise warning 'PUBLIC may create objects in schema public and this role cannot revoke it: %', sqlerrm;
end $$;
revoke all on all tables in schema public from public;
revoke all on all sequences in schema public from public;
-- Functions are executable by PUBLIC when created; from here on only what is granted below (the trigger
-- functions need no EXECUTE: a trigger fires with no privilege check on its function).
revoke execute on all functions in schema public from public;
alter default privileges revoke execute on functions from public;

-- Reference data: the back office creates it (MikroORM) and every path reads it. Never changed nor deleted.
grant select, insert on customers, retailers, products, promotions to loyalty_service;

-- The ledger: record_purchases() runs with the caller's rights and inserts purchases, ledger transactions and
-- entries. Accounts (opened by a trigger) and balances (moved by a trigger) are only read.
grant select, insert on purchases, ledger_transactions, ledger_entries to loyalty_service;
grant select on accounts, account_balances to loyalty_service;
grant execute on function record_purchases(uuid[], uuid[], text[], uuid[], uuid[], integer[], integer[],
                                           timestamptz[], bytea[], uuid[], numeric[], bigint[], text[], integer[],
                                           uuid[], bigint[], bigint[]) to loyalty_service;
-- The default of ledger_transactions.id: a default runs with the inserting role's rights.
grant execute on function uuid_v7() to loyalty_service;

-- Auditor tokens: created, listed, looked up, and revoked (the one column a revocation sets).
grant select, insert on api_tokens to loyalty_service;
grant update (revoked_at) on api_tokens to loyalty_service;

-- Reconciliation runs (`npm run reconcile` and the API's reads): started, then completed once.
grant select, insert on reconciliation_runs to loyalty_service;
grant update (finished_at, status, watermark, last_entry_id, counts, findings, error)
  on reconciliation_runs to loyalty_service;

-- Identity columns (promotions.seq, ledger_entries.id, reconciliation_runs.id) draw from their sequences
-- without a privilege check, so no sequence is granted.

-- Derived writes that the service may cause but not make: a trigger function that writes a table the service
-- cannot write runs with its owner's rights. The search path is fixed so that a caller's objects cannot stand
-- in for the ones these functions name. account_balances still refuses every write that does not come from a
-- trigger (pg_trigger_depth() counts trigger nesting, whoever's rights it runs with), and neither function can
-- be called other than as a trigger.
alter function open_customer_account() security definer set search_path = pg_catalog, public;
alter function post_ledger_entries() security definer set search_path = pg_catalog, public;
