-- The purchase path's references are checked once per statement, without locking the rows they point at.
--
-- A foreign key checks every inserted row on its own and takes a FOR KEY SHARE lock on the row it references:
-- a WAL record per lock and, where concurrent batches reference the same row (the liability account, a product,
-- a retailer), a multixact. A purchase made nine such checks (four from purchases, one from its ledger
-- transaction, two from each of its entries); in WAL they were ~5 lock records per purchase, and with them
-- dropped the database's CPU per purchase fell by ~27 % (docs/performance.md).
--
-- The lock only exists so that the referenced row cannot be deleted, or its key changed, before the referencing
-- row commits. Every table referenced here keeps its rows and keys: purchases, ledger transactions and accounts
-- are append-only (0001), and customers, retailers and products refuse DELETE, TRUNCATE and a changed id below.
-- So checking at the end of each statement that every new row's references exist enforces the same rule as the
-- foreign keys did. The checks raise foreign_key_violation (23503), as the foreign keys did.
--
-- Lookups are subqueries behind OFFSET 0 with sequential scans off and plans made once, as in 0006: one
-- primary-key probe per reference, whatever the statistics say.

create function refuse_key_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and new.id = old.id then
    return new;
  end if;
  raise exception '% on %.% is refused: ledger rows reference its rows by id', tg_op, tg_table_schema, tg_table_name
    using errcode = 'restrict_violation';
end $$;

create trigger customers_rows_kept before update or delete on customers
  for each row execute function refuse_key_change();
create trigger customers_no_truncate before truncate on customers
  for each statement execute function refuse_key_change();
create trigger retailers_rows_kept before update or delete on retailers
  for each row execute function refuse_key_change();
create trigger retailers_no_truncate before truncate on retailers
  for each statement execute function refuse_key_change();
create trigger products_rows_kept before update or delete on products
  for each row execute function refuse_key_change();
create trigger products_no_truncate before truncate on products
  for each statement execute function refuse_key_change();

create function check_purchase_references() returns trigger language plpgsql as $$
declare
  missing uuid;
begin
  select n.id into missing
    from new_purchases n
   where not exists (select 1 from customers c where c.id = n.customer_id offset 0)
      or not exists (select 1 from products p where p.id = n.product_id offset 0)
      or not exists (select 1 from retailers r where r.id = n.retailer_id offset 0)
      or (n.promotion_id is not null
          and not exists (select 1 from promotions m where m.id = n.promotion_id offset 0))
   limit 1;
  if missing is not null then
    raise exception 'purchase % references a customer, product, retailer or promotion that does not exist', missing
      using errcode = 'foreign_key_violation', constraint = 'purchases_references';
  end if;
  return null;
end $$ set plan_cache_mode = force_generic_plan set enable_seqscan = off;

create function check_ledger_transaction_references() returns trigger language plpgsql as $$
declare
  missing uuid;
begin
  select n.id into missing
    from new_transactions n
   where n.purchase_id is not null
     and not exists (select 1 from purchases p where p.id = n.purchase_id offset 0)
   limit 1;
  if missing is not null then
    raise exception 'ledger transaction % references a purchase that does not exist', missing
      using errcode = 'foreign_key_violation', constraint = 'ledger_transactions_references';
  end if;
  return null;
end $$ set plan_cache_mode = force_generic_plan set enable_seqscan = off;

create function check_ledger_entry_references() returns trigger language plpgsql as $$
declare
  missing bigint;
begin
  select n.id into missing
    from new_entries n
   where not exists (select 1 from ledger_transactions t where t.id = n.transaction_id offset 0)
      or not exists (select 1 from accounts a where a.id = n.account_id offset 0)
   limit 1;
  if missing is not null then
    raise exception 'ledger entry % references a ledger transaction or account that does not exist', missing
      using errcode = 'foreign_key_violation', constraint = 'ledger_entries_references';
  end if;
  return null;
end $$ set plan_cache_mode = force_generic_plan set enable_seqscan = off;

create trigger purchases_references after insert on purchases
  referencing new table as new_purchases
  for each statement execute function check_purchase_references();
create trigger ledger_transactions_references after insert on ledger_transactions
  referencing new table as new_transactions
  for each statement execute function check_ledger_transaction_references();
create trigger ledger_entries_references after insert on ledger_entries
  referencing new table as new_entries
  for each statement execute function check_ledger_entry_references();

alter table purchases
  drop constraint purchases_customer_id_fkey,
  drop constraint purchases_product_id_fkey,
  drop constraint purchases_retailer_id_fkey,
  drop constraint purchases_promotion_id_fkey;
alter table ledger_transactions drop constraint ledger_transactions_purchase_id_fkey;
alter table ledger_entries
  drop constraint ledger_entries_transaction_id_fkey,
  drop constraint ledger_entries_account_id_fkey;
