import { payloadDigest } from '../common/ids/payload-digest';

/** A redemption as its caller sent it (after the edge's validation; nothing in it is rewritten). */
export interface SubmittedRedemption {
  idempotencyKey: string;
  customerId: string;
  points: bigint;
  rewardReference: string;
}

/**
 * The digest that decides replay versus IDEMPOTENCY_CONFLICT for an idempotencyKey. The customer id compares
 * case-insensitively (a UUID); the key and the reward reference exactly as sent; points as the exact integer.
 * Who calls is not part of it: the same request resent by another REWARDS token of the shop is a replay.
 */
export function redemptionFingerprint(r: SubmittedRedemption): Buffer {
  return payloadDigest([
    'redemption/1', // kind and format version of this digest
    r.idempotencyKey,
    r.customerId.toLowerCase(),
    r.points.toString(),
    r.rewardReference,
  ]);
}
