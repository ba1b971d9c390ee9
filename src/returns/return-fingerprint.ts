import { payloadDigest } from '../common/ids/payload-digest';
import { Instant } from '../common/time/instant';

/** The return as the POS sent it: returnedAt stays undefined when left out. */
export interface SubmittedReturn {
  transactionId: string;
  purchaseTransactionId: string;
  quantity: number;
  returnedAt?: Instant | null;
}

/**
 * The digest that decides replay versus IDEMPOTENCY_CONFLICT for a return (the retailer is part of the key, so
 * it is not hashed). A returnedAt left out differs from one sent, even with the time it would default to;
 * returnedAt compares as an instant, whatever offset it was written with; transaction ids compare exactly.
 */
export function returnFingerprint(r: SubmittedReturn): Buffer {
  return payloadDigest([
    1, // format version of this digest
    r.transactionId,
    r.purchaseTransactionId,
    r.quantity,
    r.returnedAt ? r.returnedAt.epochMicros.toString() : null,
  ]);
}
