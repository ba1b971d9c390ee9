import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * The most points one redemption or adjustment may move, either way: 10^15. Far beyond any real reward or
 * correction, and small enough that no sum the ledger makes of such movements (a balance plus a debit, the
 * program accounts' totals) comes near the 2^63 of a PostgreSQL bigint.
 */
export const MAX_POINTS_PER_MOVEMENT = 10n ** 15n;

/** `spend`: a redemption, 1 to the maximum. `adjust`: a credit or a debit, never 0, at most the maximum either way. */
export type PointsRule = 'spend' | 'adjust';

export type PointsProblem = 'not-whole' | 'below-one' | 'zero' | 'too-large';

/** What is wrong with a number of points (the BigInt scalar's parsed value) under the rule, or null. */
export function pointsProblem(value: unknown, rule: PointsRule): PointsProblem | null {
  if (typeof value !== 'bigint') return 'not-whole';
  if (rule === 'spend' && value < 1n) return 'below-one';
  if (value === 0n) return 'zero';
  const magnitude = value < 0n ? -value : value;
  return magnitude > MAX_POINTS_PER_MOVEMENT ? 'too-large' : null;
}

/** The end of a sentence that starts with the field's name. */
export function describePointsProblem(problem: PointsProblem, rule: PointsRule): string {
  switch (problem) {
    case 'not-whole':
      return 'must be a whole number';
    case 'below-one':
      return 'must be at least 1';
    case 'zero':
      return 'must not be 0';
    case 'too-large':
      return rule === 'spend'
        ? `must be at most ${MAX_POINTS_PER_MOVEMENT}`
        : `must be between -${MAX_POINTS_PER_MOVEMENT} and ${MAX_POINTS_PER_MOVEMENT}`;
  }
}

/** A BigInt field of points under `rule`, naming the field and its problem. */
export function IsPoints(rule: PointsRule, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPoints',
      validator: {
        validate: (value) => pointsProblem(value, rule) === null,
        defaultMessage: (args) =>
          `${args?.property} ${describePointsProblem(pointsProblem(args?.value, rule) ?? 'not-whole', rule)}`,
      },
    },
    options,
  );
}
