-- Refused submissions of the event ingestion mode (docs/ingestion.md, decision 0016).
--
-- A purchase submitted through JetStream is recorded later, by a consumer; when it can never be recorded (its
-- customer or product does not exist, its transactionId was already recorded with another purchase, an input
-- rule that needed a lookup) the consumer stores the refusal here, then terminates the message. This table is
-- where purchaseSubmission and an operator read that outcome: the stream keeps nothing once a message is
-- acknowledged or terminated (work-queue retention).
--
-- The first outcome of a (retailer, transactionId) wins: the primary key, and the service inserts with
-- ON CONFLICT DO NOTHING, so a redelivered or resent message never rewrites a stored refusal. A recorded purchase
-- still outranks a refusal of the same key when purchaseSubmission answers (a conflicting resend of a recorded
-- purchase is refused here with IDEMPOTENCY_CONFLICT while the purchase stays RECORDED).
--
-- Append-only like the ledger's tables (0001, 0010): the service's role may select and insert, nothing else, and
-- the triggers refuse UPDATE, DELETE and TRUNCATE whoever runs them. No points move here, so the table is no
-- part of the reconciliation.
create table submission_refusals (
  retailer_id      uuid not null,
  transaction_id   text not null check (char_length(transaction_id) between 1 and 128),
  -- Only the codes that a retry can never change; a database fault is retried, a bug is dead-lettered.
  error_code       text not null check (error_code in ('CUSTOMER_NOT_FOUND', 'PRODUCT_NOT_FOUND',
                                                       'IDEMPOTENCY_CONFLICT', 'BAD_USER_INPUT')),
  message          text not null check (char_length(message) between 1 and 1000),
  -- The refused purchase's fingerprint (as purchases.payload_hash): a resend within the stream's duplicate window
  -- is compared with it to answer IDEMPOTENCY_CONFLICT at once.
  payload_hash     bytea not null check (length(payload_hash) = 32),
  -- The refused message's sequence in the stream, for an operator tracing it.
  stream_sequence  bigint not null check (stream_sequence >= 1),
  refused_at       timestamptz not null default now(),
  constraint submission_refusals_pkey primary key (retailer_id, transaction_id)
);
create trigger submission_refusals_append_only before update or delete on submission_refusals
  for each row execute function refuse_change();
create trigger submission_refusals_no_truncate before truncate on submission_refusals
  for each statement execute function refuse_change();

grant select, insert on submission_refusals to loyalty_service;
