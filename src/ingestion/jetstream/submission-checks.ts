import { RecordPurchaseInput } from '../../purchases/dto/record-purchase.input';
import { assertPurchaseWindow } from '../../purchases/purchases.service';

/**
 * The rules of recordPurchase that need no lookup and that GraphQL's validation pipe has not applied yet: the
 * purchasedAt window around the submission's receipt. (Shape and ranges were checked by the pipe before the
 * resolver ran.) The consumer judges the purchase at the same receivedAt, so a submission accepted here is never
 * refused later for its time.
 */
export function assertSubmittable(input: RecordPurchaseInput, receivedAt: Date, maxPurchaseAgeDays: number): void {
  if (input.purchasedAt) assertPurchaseWindow(input.purchasedAt.toDate(), receivedAt, maxPurchaseAgeDays);
}
