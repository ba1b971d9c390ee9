-- Foreign keys lock what they reference: every referencing INSERT takes a KEY SHARE lock on the parent row. A
-- hot customer (and its points account) is referenced by every concurrent purchase batch, and each new locker
-- turns the row's lock into a new multixact: in the benchmark's hot-customer scenario throughput fell from about
-- 2,800 to 1,800 purchases/s within half a minute, and held at about 4,600/s without these three keys.
-- Customers and accounts are never deleted and never change id (guarded here and in 0001), so checking at insert
-- time that the parent exists protects exactly what the foreign keys did, without the lock.

create function refuse_id_change() returns trigger language plpgsql as $$
begin
  if new.id <> old.id then
    raise exception 'the id of a row of %.% never changes', tg_table_schema, tg_table_name
      using errcode = 'restrict_violation';
  end if;
  return new;
end $$;
create trigger customers_no_delete before delete on customers
  for each row execute function refuse_change();
create trigger customers_no_truncate before truncate on customers
  for each statement execute function refuse_change();
create trigger customers_keep_id before update of id on customers
  for each row execute function refuse_id_change();

-- Purchases: record_purchases() already skips unknown customers (its outcome customer_not_found); this catches
-- any other writer, once per statement.
alter table purchases drop constraint purchases_customer_id_fkey;
create function check_purchase_customers() returns trigger language plpgsql as $$
declare
  unknown_customer uuid;
begin
  select n.customer_id into unknown_customer
    from new_purchases n
   where not exists (select 1 from customers c where c.id = n.customer_id)
   limit 1;
  if unknown_customer is not null then
    raise exception 'purchase names unknown customer %', unknown_customer
      using errcode = 'foreign_key_violation', constraint = 'purchases_customer_exists';
  end if;
  return null;
end $$;
create trigger purchases_customer_exists after insert on purchases
  referencing new table as new_purchases
  for each statement execute function check_purchase_customers();

-- Ledger entries: the entries' statement trigger now checks their accounts too.
alter table ledger_entries drop constraint ledger_entries_account_id_fkey;
create or replace function post_ledger_entries() returns trigger language plpgsql as $$
declare
  unbalanced uuid;
  unknown_account uuid;
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

  -- Every entry names an existing account (what the foreign key checked; accounts are never deleted).
  select n.account_id into unknown_account
    from new_entries n
   where not exists (select 1 from accounts a where a.id = n.account_id)
   limit 1;
  if unknown_account is not null then
    raise exception 'ledger entry names unknown account %', unknown_account
      using errcode = 'foreign_key_violation', constraint = 'ledger_entries_account_exists';
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

-- Balances: written only by that trigger (refuse_direct_balance_write), for accounts it has just checked.
alter table account_balances drop constraint account_balances_account_id_fkey;
