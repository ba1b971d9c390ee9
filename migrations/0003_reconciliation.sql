-- Reconciliation (`npm run reconcile`, docs/reconciliation.md): commit-order watermarks and the record of runs.

-- The database transaction that wrote each row, as a 64-bit transaction id (it never wraps around). A run
-- stores the snapshot its checks read as its watermark; the next incremental run reads the rows whose writer
-- that snapshot could not see, i.e. committed after it. Sequence values and ids would not do: they are handed
-- out before commit, so a slow transaction commits a lower one after a faster transaction's higher one.
-- The default fills the column on every INSERT, so record_purchases() is unchanged. It is set after the column
-- is added, so that existing rows keep null ("before any watermark": the first run is a full one) and the
-- tables are not rewritten under an exclusive lock.
alter table purchases add column committed_xid xid8;
alter table purchases alter column committed_xid set default pg_current_xact_id();
alter table ledger_transactions add column committed_xid xid8;
alter table ledger_transactions alter column committed_xid set default pg_current_xact_id();
create index purchases_committed_xid_idx on purchases (committed_xid);
create index ledger_transactions_committed_xid_idx on ledger_transactions (committed_xid);

-- An account's entries with their amounts in the index: an account's total (the liability's runs to one entry
-- per purchase) is then read from the index alone. Replaces 0001's (account_id, id) index, same key.
create index ledger_entries_account_amount_idx on ledger_entries (account_id, id) include (amount);
drop index ledger_entries_account_idx;

-- One row per run, written when it starts and completed when it ends. Finance reads them (GraphQL, /metrics);
-- a finished run is a record and never changes, and no run is ever deleted.
create table reconciliation_runs (
  id             bigint generated always as identity primary key,
  started_at     timestamptz not null default clock_timestamp(),
  finished_at    timestamptz,
  mode           text not null check (mode in ('full', 'incremental')),
  -- Why this mode: asked for, or why an incremental run was not possible.
  mode_reason    text not null,
  -- The clean run whose watermark an incremental run continued from.
  since_run_id   bigint references reconciliation_runs (id),
  status         text not null default 'running'
                 check (status in ('running', 'clean', 'drift', 'empty', 'error')),
  -- The snapshot every check of the run read, and the highest ledger entry id it held (entries have no
  -- committed_xid: an entry added later to an older transaction is found by its higher id).
  watermark      pg_snapshot,
  last_entry_id  bigint,
  counts         jsonb not null default '{}',
  findings       jsonb not null default '[]',
  error          text,
  check ((status = 'running') = (finished_at is null)),
  check (mode = 'full' or since_run_id is not null)
);
create index reconciliation_runs_finished_idx on reconciliation_runs (status, id);

create function guard_reconciliation_run() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' or old.status <> 'running' then
    raise exception 'reconciliation run % is a record: never deleted, never changed once finished', old.id
      using errcode = 'restrict_violation';
  end if;
  return new;
end $$;
create trigger reconciliation_runs_record before update or delete on reconciliation_runs
  for each row execute function guard_reconciliation_run();
create trigger reconciliation_runs_no_truncate before truncate on reconciliation_runs
  for each statement execute function refuse_change();
