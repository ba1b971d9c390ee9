/**
 * An award rate is an exact decimal of points per dollar with at most 4 decimal places, held as an integer
 * count of 1/10000 points per dollar. No binary floating point ever touches it.
 */
export const AWARD_RATE_DECIMALS = 4;
const SCALE = 10n ** BigInt(AWARD_RATE_DECIMALS);
/** numeric(12,4) in the database: 8 integer digits. Keeps points within bigint for any purchase. */
export const MAX_AWARD_RATE_SCALED = 10n ** 12n - 1n;

export type AwardRate = { readonly scaled: bigint };

export type AwardRateProblem = 'not-a-decimal' | 'negative' | 'too-many-decimals' | 'too-large';

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

export function parseAwardRate(text: string): AwardRate | AwardRateProblem {
  const m = DECIMAL.exec(text.trim());
  if (!m) return 'not-a-decimal';
  const [, sign, whole, fraction = ''] = m;
  const significant = fraction.replace(/0+$/, '');
  const scaled = BigInt(whole) * SCALE + BigInt(significant.padEnd(AWARD_RATE_DECIMALS, '0') || '0');
  if (sign === '-' && scaled !== 0n) return 'negative';
  if (significant.length > AWARD_RATE_DECIMALS) return 'too-many-decimals';
  if (scaled > MAX_AWARD_RATE_SCALED) return 'too-large';
  return { scaled };
}

/** The shortest exact decimal text: "100", "1.5", "0.0001". */
export function formatAwardRate(rate: AwardRate): string {
  const whole = rate.scaled / SCALE;
  const fraction = (rate.scaled % SCALE).toString().padStart(AWARD_RATE_DECIMALS, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole.toString();
}

export function compareAwardRates(a: AwardRate, b: AwardRate): number {
  return a.scaled < b.scaled ? -1 : a.scaled > b.scaled ? 1 : 0;
}

/** Reads a rate that the database already holds (numeric text such as "100.0000"). */
export function awardRateFromDatabase(text: string): AwardRate {
  const parsed = parseAwardRate(text);
  if (typeof parsed === 'string') throw new Error(`stored award rate is invalid (${parsed})`);
  return parsed;
}
