-- No function of the schema takes a table from the caller's temporary schema
-- (docs/decisions/0018-guards-ignore-temporary-tables.md).
--
-- Every role may create temporary tables unless the database's ACL says otherwise, and PostgreSQL looks a table
-- (or type) name up in the session's temporary schema, pg_temp, BEFORE every schema of the search path unless
-- the path names pg_temp itself. So a session of the service's role that made a temporary table named like a
-- ledger table redirected whatever the functions below read or wrote by that name in the same session:
-- * post_ledger_entries() and open_customer_account() (owner's rights, search_path pg_catalog, public) wrote
--   the balances and accounts of committed entries and customers into the caller's tables;
-- * the guards that run with the caller's rights and the caller's search path (the statement-level reference
--   checks of 0008 and 0010, the deferred entries and balance checks) read the caller's customers, products,
--   purchases, ledger_entries, accounts or account_balances instead of the real ones, and let through rows that
--   name nothing real, transactions without entries and redemptions beyond the balance.
-- A search path that ends with pg_temp searches it last: every name these functions use exists in pg_catalog or
-- public, so none resolves to a temporary object. test/integration/temp-schema-shadowing.test.ts makes each of
-- the writes above with the tables shadowed.
--
-- LATER MIGRATIONS: every function of schema public either carries `set search_path = pg_catalog, public,
-- pg_temp` or has a SQL-standard body (RETURN or BEGIN ATOMIC, whose names are bound when it is created, so no
-- search path applies when it runs). CREATE FUNCTION sets nothing, and CREATE OR REPLACE drops the SET clauses
-- of the function it replaces (see 0014): state the setting again in the migration that (re)creates a function.
-- test/integration/service-role.test.ts checks every function of the schema.

-- ---------------------------------------------------------------------------------------------------------
-- The two SQL functions that are inlined into their callers' statements: uuid_v7(), the default of
-- ledger_transactions.id (one per purchase), and lock_customer(), taken by every lifecycle movement. A SET
-- clause would stop the inlining (a SET makes every call a real function call that saves and restores the
-- setting: about 3 microseconds more per uuid_v7() call, measured, twice the function's own cost). A
-- SQL-standard body is parsed once, here, names bound to what they are now, and is still inlined. Same
-- expressions as 0014 and 0010; CREATE OR REPLACE keeps their grants.
create or replace function uuid_v7() returns uuid language sql volatile parallel safe
return encode(
         set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                                 placing substring(int8send(floor(date_part('epoch', clock_timestamp()) * 1000)::bigint) from 3)
                                 from 1 for 6),
                         52, 1),
                 53, 1),
         'hex')::uuid;

create or replace function lock_customer(p_customer_id uuid) returns void language sql
begin atomic
  select pg_advisory_xact_lock(724311905, hashtext(p_customer_id::text));
end;

-- ---------------------------------------------------------------------------------------------------------
-- Every other function of the schema: the search path pinned, pg_temp last. Those that pinned it already (0009,
-- 0014) keep their other settings; a function whose body is SQL-standard needs none. Extension members are
-- left as their extension made them (none today).
do $$
declare
  f record;
begin
  for f in
    select format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as signature
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.prokind in ('f', 'p') and p.prosqlbody is null
       and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
     order by 1
  loop
    execute format('alter function %s set search_path = pg_catalog, public, pg_temp', f.signature);
  end loop;
end $$;
