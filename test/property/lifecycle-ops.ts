import fc from 'fast-check';

/**
 * The lifecycle operations the ledger property draws besides purchases (returns, redemptions, cancellations,
 * adjustments), as plain data that prints and shrinks, and the oracle for them: what a draw means against the
 * model's state, and the return formula in integer arithmetic, written independently of src/.
 */

/** How much of what is available a draw asks for: some of it, all of it, or more than there is. */
export type Share = 'part' | 'all' | 'over';
export interface Amount {
  share: Share;
  n: bigint;
}
/**
 * When a return says it happened: left out (now), at the sale's instant, a little after it, one microsecond
 * before it (refused), or six minutes ahead (refused); written at `offset` minutes, `trim`med or not.
 */
export interface ReturnWhen {
  mode: 'omit' | 'exact' | 'later' | 'early' | 'future';
  laterMicros: bigint;
  offset: number;
  trim: boolean;
}
/** What a resend of a recorded return, redemption or adjustment changes: nothing (a replay) or one field. */
export type ReturnChange = 'none' | 'reformat' | 'quantity' | 'purchase' | 'returnedAt';
export type KeyedChange = 'none' | 'upperId' | 'points' | 'text';

export type LifecycleOp =
  /**
   * A return of one of the run's recorded purchases (`pick`), sent by its retailer (`shift` 0) or by another
   * retailer's POS, which holds that purchase only if it recorded a sale under the same transactionId.
   * `zeroUnits` asks for 0 units (refused); `reuse` takes the key of an earlier refused return when there is one;
   * `spendFirst` redeems the customer's whole balance just before, so that the return takes it below zero.
   */
  | {
      kind: 'return';
      pick: number;
      units: Amount;
      zeroUnits: boolean;
      when: ReturnWhen;
      shift: number;
      reuse: boolean;
      spendFirst: boolean;
      suffix: string;
    }
  | { kind: 'returnAgain'; pick: number; change: ReturnChange; variant: number }
  | { kind: 'redeem'; c: number; amount: Amount; reuse: boolean }
  | { kind: 'redeemAgain'; pick: number; change: KeyedChange }
  /** Cancels one of the run's redemptions (a second time: a replay), or an id no redemption has. */
  | { kind: 'cancel'; pick: number; unknown: boolean }
  | { kind: 'adjust'; c: number; credit: boolean; amount: Amount; reuse: boolean }
  | { kind: 'adjustAgain'; pick: number; change: KeyedChange };

export const LIFECYCLE_KINDS = ['return', 'returnAgain', 'redeem', 'redeemAgain', 'cancel', 'adjust', 'adjustAgain'] as const;

/**
 * Up to 10^12: balances stay far below the service's bound of 10^15 points per movement, so that a redemption
 * or a debit of a whole balance never meets it.
 */
const amountArb: fc.Arbitrary<Amount> = fc.record({
  share: fc.constantFrom<Share>('part', 'part', 'all', 'all', 'over'),
  n: fc.oneof(fc.bigInt(0n, 1000n), fc.bigInt(0n, 10n ** 12n)),
});
const whenArb: fc.Arbitrary<ReturnWhen> = fc.record({
  mode: fc.constantFrom<ReturnWhen['mode']>('omit', 'omit', 'exact', 'later', 'later', 'early', 'future'),
  laterMicros: fc.bigInt(1n, 30_000_000n),
  offset: fc.constantFrom(0, -480, 330, 345, 540),
  trim: fc.boolean(),
});
const suffixArb = fc
  .string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '-', 'é', '🍺'), maxLength: 6 })
  .map((s) => (s.endsWith(' ') ? `${s}x` : s));
const keyedChangeArb = fc.constantFrom<KeyedChange>('none', 'none', 'upperId', 'points', 'text');

export const lifecycleOpArb: fc.Arbitrary<LifecycleOp> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('return' as const),
      pick: fc.nat(),
      units: amountArb,
      zeroUnits: fc.nat(15).map((n) => n === 0),
      when: whenArb,
      shift: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, 1, 2),
      reuse: fc.boolean(),
      spendFirst: fc.nat(3).map((n) => n === 0),
      suffix: suffixArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('returnAgain' as const),
      pick: fc.nat(),
      change: fc.constantFrom<ReturnChange>('none', 'none', 'reformat', 'quantity', 'purchase', 'returnedAt'),
      variant: fc.nat(3),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('redeem' as const), c: fc.nat(3), amount: amountArb, reuse: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('redeemAgain' as const), pick: fc.nat(), change: keyedChangeArb }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat(), unknown: fc.nat(7).map((n) => n === 0) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('adjust' as const),
      c: fc.nat(3),
      credit: fc.boolean(),
      amount: amountArb,
      reuse: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('adjustAgain' as const), pick: fc.nat(), change: keyedChangeArb }) },
);

/**
 * The points a redemption or a debit asks for, given the balance it meets: some of it (at least 1), all of it,
 * or more than it. A balance below 1 covers nothing: every draw then asks for more than there is.
 */
export function pointsToSpend(a: Amount, balance: bigint): bigint {
  if (balance >= 1n && a.share === 'part') return 1n + (a.n % balance);
  if (balance >= 1n && a.share === 'all') return balance;
  return (balance > 0n ? balance : 0n) + 1n + (a.n % 1_000_000n);
}

/** The points a credit adjustment gives: any positive amount, up to about 10^12. */
export function pointsToCredit(a: Amount): bigint {
  return 1n + a.n;
}

/** Units a return asks for, given the units of the purchase not yet returned. */
export function unitsToReturn(a: Amount, zeroUnits: boolean, remaining: number): number {
  if (zeroUnits) return 0;
  if (remaining >= 1 && a.share === 'part') return 1 + Number(a.n % BigInt(remaining));
  if (remaining >= 1 && a.share === 'all') return remaining;
  return remaining + 1 + Number(a.n % 3n);
}

/** What a return is priced from: the purchase's own snapshot as recordPurchase returned it. */
export interface Snapshot {
  quantity: number;
  unitPriceCents: number;
  /** The award rate's decimal text, or null when no promotion applied. */
  awardRate: string | null;
}

/** floor(units x unitPriceCents x rate / 100) with the rate's decimal text read exactly. */
export function pointsOfUnits(units: number, s: Snapshot): bigint {
  if (s.awardRate === null) return 0n;
  const match = /^(\d+)(?:\.(\d+))?$/.exec(s.awardRate);
  if (!match) throw new Error(`not an award rate: ${s.awardRate}`);
  const fraction = match[2] ?? '';
  const numerator = BigInt(match[1] + fraction);
  return (BigInt(units) * BigInt(s.unitPriceCents) * numerator) / (100n * 10n ** BigInt(fraction.length));
}

/** Points taken back in all once `returned` of the units went back: earned - floor((q - r) x price x rate / 100). */
export function takenBackAfter(s: Snapshot, returned: number): bigint {
  return pointsOfUnits(s.quantity, s) - pointsOfUnits(s.quantity - returned, s);
}
