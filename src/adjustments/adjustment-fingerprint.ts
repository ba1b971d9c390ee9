import { payloadDigest } from '../common/ids/payload-digest';

/** An adjustment as ADMIN sent it, its reason as the edge handed it on (trimmed of invisible edges). */
export interface SubmittedAdjustment {
  idempotencyKey: string;
  customerId: string;
  points: bigint;
  reason: string;
}

/**
 * The digest that decides replay versus IDEMPOTENCY_CONFLICT for an idempotencyKey. The customer id compares
 * case-insensitively (a UUID); the key and the reason exactly; points as the exact signed integer. The actor is
 * not part of it: it comes from the token, not from the payload.
 */
export function adjustmentFingerprint(a: SubmittedAdjustment): Buffer {
  return payloadDigest([
    'adjustment/1', // kind and format version of this digest
    a.idempotencyKey,
    a.customerId.toLowerCase(),
    a.points.toString(),
    a.reason,
  ]);
}
