import { payloadDigest } from '../common/ids/payload-digest';
import { Instant } from '../common/time/instant';

/** The purchase as the POS sent it: optional fields stay undefined when left out. */
export interface SubmittedPurchase {
  transactionId: string;
  customerId: string;
  productId: string;
  quantity: number;
  unitPriceCents?: number | null;
  purchasedAt?: Instant | null;
}

/**
 * The digest that decides replay versus IDEMPOTENCY_CONFLICT. A field left out differs from the same field
 * sent with its default value; ids compare case-insensitively (they are UUIDs); purchasedAt compares as an
 * instant, whatever offset it was written with.
 */
export function purchaseFingerprint(p: SubmittedPurchase): Buffer {
  return payloadDigest([
    1, // format version of this digest
    p.transactionId,
    p.customerId.toLowerCase(),
    p.productId.toLowerCase(),
    p.quantity,
    p.unitPriceCents ?? null,
    p.purchasedAt ? p.purchasedAt.epochMicros.toString() : null,
  ]);
}
