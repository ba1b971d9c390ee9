-- New ledger transactions get time-ordered ids (UUID version 7, RFC 9562), as the service already gives new
-- purchases: rows keyed by them are appended at the right edge of their indexes (the primary key, the
-- purchase's ledger key and the entries' transaction index) instead of landing on a random page of an index
-- of millions of rows. A random page costs a read when it is not cached and, on its first change after each
-- checkpoint, a whole page of WAL. Existing ids keep their version 4; both kinds are ordinary uuids.

-- 48 bits of Unix time in milliseconds over a random UUID, with the version nibble turned from 4 into 7
-- (bits 52 and 53); the variant bits of gen_random_uuid() are already those of RFC 9562.
create function uuid_v7() returns uuid language sql volatile parallel safe as $$
  select encode(
           set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                                   placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
                                   from 1 for 6),
                           52, 1),
                   53, 1),
           'hex')::uuid
$$;

alter table ledger_transactions alter column id set default uuid_v7();
