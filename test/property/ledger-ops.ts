import fc from 'fast-check';
import { BASE_MICROS, BOUNDARY_MICROS } from './ledger-world';
import { LifecycleOp, lifecycleOpArb } from './lifecycle-ops';

/**
 * The operations the ledger property draws: what a run submits, as plain data that prints and shrinks. The POS's
 * purchases are here; returns, redemptions, cancellations and adjustments are in lifecycle-ops.ts.
 */

export interface Input {
  transactionId: string;
  customerId: string;
  productId: string;
  quantity: number;
  unitPriceCents?: number;
  purchasedAt?: string;
}
/** A submission: the retailer it comes from, the input as sent, and the instant its purchasedAt names. */
export interface Sub {
  r: number;
  input: Input;
  atMicros: bigint | null;
}
export interface At {
  micros: bigint;
  offset: number;
  trim: boolean;
}
export interface Payload {
  r: number;
  c: number;
  p: number;
  quantity: number;
  unitPriceCents: number | undefined;
  at: At | undefined;
  suffix: string;
}
export type Field = 'customerId' | 'productId' | 'quantity' | 'unitPriceCents' | 'purchasedAt';
export type PurchaseOp =
  | { kind: 'new'; payload: Payload; rejectFirst: boolean }
  | { kind: 'replay'; pick: number; upperIds: boolean; reformat: { offset: number; trim: boolean } | undefined }
  | { kind: 'conflict'; pick: number; field: Field; variant: number }
  | { kind: 'otherRetailer'; pick: number; shift: number }
  | { kind: 'batch'; fresh: Payload[]; copies: number; conflictField: Field | undefined; replays: number[]; seed: number };
export type Op = PurchaseOp | LifecycleOp;

export const MICROS_PER_SECOND = 1_000_000n;
export const OFFSETS = [0, -480, -420, -210, 60, 330, 345, 540, 780];
const FIELDS: Field[] = ['customerId', 'productId', 'quantity', 'unitPriceCents', 'purchasedAt'];

export const atArb: fc.Arbitrary<At> = fc.record({
  micros: fc.oneof(
    // Anywhere from 4 minutes ahead (allowed skew) to 28 days back (inside the 30-day window).
    {
      weight: 3,
      arbitrary: fc.bigInt(-240n * MICROS_PER_SECOND, 28n * 86_400n * MICROS_PER_SECOND).map((ago) => BASE_MICROS - ago),
    },
    // Around the day the retailer promotion starts, where the retailer's own time zone decides.
    {
      weight: 1,
      arbitrary: fc.bigInt(-14n * 3600n * MICROS_PER_SECOND, 14n * 3600n * MICROS_PER_SECOND).map((d) => BOUNDARY_MICROS + d),
    },
  ),
  offset: fc.constantFrom(...OFFSETS),
  trim: fc.boolean(),
});
export const payloadArb: fc.Arbitrary<Payload> = fc.record({
  // Retailer 0 with product 2 is where scope precedence and the time zone matter: drawn more often.
  r: fc.constantFrom(0, 0, 1, 2),
  c: fc.nat(3),
  p: fc.constantFrom(0, 1, 2, 2),
  quantity: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 10_000 })),
  unitPriceCents: fc.option(fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 10_000_000 })), {
    nil: undefined,
  }),
  at: fc.option(atArb, { nil: undefined }),
  // Inner spaces only: an id that begins or ends with whitespace is refused at the edge (docs/input-rules.md).
  suffix: fc
    .string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '-', '/', 'é', '🍺'), maxLength: 8 })
    .map((s) => (s.endsWith(' ') ? `${s}x` : s)),
});
const fieldArb = fc.constantFrom(...FIELDS);
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('new' as const), payload: payloadArb, rejectFirst: fc.nat(4).map((n) => n === 4) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('replay' as const),
      pick: fc.nat(),
      upperIds: fc.boolean(),
      reformat: fc.option(fc.record({ offset: fc.constantFrom(...OFFSETS), trim: fc.boolean() }), { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('conflict' as const), pick: fc.nat(), field: fieldArb, variant: fc.nat(3) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('otherRetailer' as const), pick: fc.nat(), shift: fc.integer({ min: 1, max: 2 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      fresh: fc.array(payloadArb, { minLength: 1, maxLength: 2 }),
      copies: fc.integer({ min: 2, max: 5 }),
      conflictField: fc.option(fieldArb, { nil: undefined, freq: 2 }),
      replays: fc.array(fc.nat(), { maxLength: 3 }),
      seed: fc.nat(),
    }),
  },
  // About as many lifecycle operations as purchase operations: returns need sales, redemptions need balances.
  { weight: 12, arbitrary: lifecycleOpArb },
);
