import { AWARD_RATE_DECIMALS, AwardRate } from '../promotions/award-rate';

const CENTS_PER_DOLLAR = 100n;
const DIVISOR = CENTS_PER_DOLLAR * 10n ** BigInt(AWARD_RATE_DECIMALS);

/**
 * Points for a purchase: floor(totalPriceCents x awardRate / 100), in exact integer arithmetic. Both factors are
 * non-negative, so BigInt division (which truncates) is the floor: the program never over-credits.
 */
export function pointsFor(totalPriceCents: bigint, rate: AwardRate | null): bigint {
  if (rate === null) return 0n;
  if (totalPriceCents < 0n || rate.scaled < 0n) throw new RangeError('price and award rate must be non-negative');
  return (totalPriceCents * rate.scaled) / DIVISOR;
}

export function totalPriceCents(quantity: number, unitPriceCents: number): bigint {
  return BigInt(quantity) * BigInt(unitPriceCents);
}
