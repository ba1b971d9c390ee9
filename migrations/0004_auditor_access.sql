-- Auditors' access: bearer tokens that ADMIN creates and revokes, and the indexes of the auditors' history reads.

-- A token is shown once when created; only its sha256 digest is kept. Rows are never deleted nor edited, so the
-- table also records who had access and when: the only change allowed is the one-way revocation below.
create table api_tokens (
  id          uuid primary key default gen_random_uuid(),
  role        text not null check (role in ('AUDITOR')),
  name        text not null check (char_length(name) between 1 and 200),
  token_hash  bytea not null unique check (length(token_hash) = 32),
  created_at  timestamptz not null default now(),
  revoked_at  timestamptz,
  check (revoked_at is null or revoked_at >= created_at)
);

create function refuse_api_token_change() returns trigger language plpgsql as $$
begin
  if old.revoked_at is not null
     or new.revoked_at is null
     or (new.id, new.role, new.name, new.token_hash, new.created_at)
        is distinct from (old.id, old.role, old.name, old.token_hash, old.created_at) then
    raise exception 'an API token can only be revoked, once' using errcode = 'restrict_violation';
  end if;
  return new;
end $$;
create trigger api_tokens_revoke_only before update on api_tokens
  for each row execute function refuse_api_token_change();
create trigger api_tokens_no_delete before delete on api_tokens
  for each row execute function refuse_change();
create trigger api_tokens_no_truncate before truncate on api_tokens
  for each statement execute function refuse_change();

-- History pages without an account filter walk transactions in the order they entered the ledger (recorded_at,
-- then id to break ties); as-of balances and exports select by recorded_at too. Pages of one account walk
-- ledger_entries (account_id, id), which 0001 already indexes.
create index ledger_transactions_recorded_idx on ledger_transactions (recorded_at, id);
-- Nearly every transaction is a purchase, which the index above serves as well; the rare other kinds get a
-- partial index, so that the purchase path does not pay a third index insert per transaction.
create index ledger_transactions_other_kinds_idx on ledger_transactions (kind, recorded_at, id)
  where kind <> 'purchase';
