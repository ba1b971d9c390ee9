import { AwardRate } from '../promotions/award-rate';
import { pointsFor, totalPriceCents } from '../purchases/points';

/** What a return is priced from: the purchase's own snapshot, never today's product price or promotion. */
export interface ReturnablePurchase {
  /** Units bought. */
  quantity: number;
  unitPriceCents: number;
  /** The rate the purchase earned at; null when no promotion applied (it earned 0 points). */
  awardRate: AwardRate | null;
}

/**
 * Points taken back in all once `unitsReturned` of the purchase's units have been returned, by any sequence of
 * returns: pointsEarned - floor((q - r) x unitPriceCents x awardRate / 100). The customer keeps exactly what
 * the units not returned would have earned as a purchase of their own, so no split of the returns can take back
 * more or less than the returned units earned, whatever the rounding (per-return flooring would drift).
 */
export function pointsTakenBackAfter(purchase: ReturnablePurchase, unitsReturned: number): bigint {
  assertUnits(unitsReturned, 0, purchase.quantity, 'units returned');
  const earned = pointsFor(totalPriceCents(purchase.quantity, purchase.unitPriceCents), purchase.awardRate);
  const kept = pointsFor(totalPriceCents(purchase.quantity - unitsReturned, purchase.unitPriceCents), purchase.awardRate);
  return earned - kept;
}

/**
 * The pointsReversed of one return of `quantity` units after `unitsReturnedBefore` units were returned by the
 * purchase's earlier returns: the cumulative total after it minus the total before it. Never negative (the
 * kept points only shrink as units go back). record_return() in migrations/0010_points_lifecycle.sql computes
 * the same, and the table's trigger refuses a row that does not match it.
 */
export function returnPointsReversed(purchase: ReturnablePurchase, unitsReturnedBefore: number, quantity: number): bigint {
  assertUnits(quantity, 1, purchase.quantity, 'quantity');
  assertUnits(unitsReturnedBefore + quantity, 1, purchase.quantity, 'units returned');
  return pointsTakenBackAfter(purchase, unitsReturnedBefore + quantity) - pointsTakenBackAfter(purchase, unitsReturnedBefore);
}

function assertUnits(value: number, min: number, max: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be a whole number from ${min} to ${max}, not ${value}`);
  }
}
