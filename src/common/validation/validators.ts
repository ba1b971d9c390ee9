import { ValidateBy, ValidationOptions } from 'class-validator';
import { AwardRateProblem, parseAwardRate } from '../../promotions/award-rate';
import { isIanaTimeZone } from '../time/local-date';
import { decimalTextProblem, describeTextProblem, freeTextProblem, identifierProblem, MAX_DECIMAL_TEXT_LENGTH, nameProblem, TextProblem } from './text-rules';
import { markTrimmed } from './trimmed-fields';

/** Any UUID, whatever its version: ids are compared as PostgreSQL uuid values. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function IsUuidText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isUuidText',
      validator: {
        validate: (value) => typeof value === 'string' && UUID_PATTERN.test(value),
        defaultMessage: (args) => `${args?.property} must be a UUID`,
      },
    },
    options,
  );
}

export function IsIanaTimeZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIanaTimeZone',
      validator: {
        validate: (value) => typeof value === 'string' && isIanaTimeZone(value),
        defaultMessage: (args) => `${args?.property} must be an IANA time zone name such as America/Chicago`,
      },
    },
    options,
  );
}

type TextKind = 'identifier' | 'name' | 'free text';

/** A class-validator rule for one kind of text of text-rules.ts, naming the field and its problem. */
function textRule(
  name: string,
  kind: TextKind,
  problemOf: (value: unknown, maxLength: number) => TextProblem | null,
  maxLength: number,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value) => problemOf(value, maxLength) === null,
        defaultMessage: (args) =>
          `${args?.property} ${describeTextProblem(problemOf(args?.value, maxLength) ?? 'not-text', maxLength, kind)}`,
      },
    },
    options,
  );
}

/** A key compared exactly as sent (see text-rules.ts): 1 to maxLength code points, never rewritten. */
export function IsIdentifierText(maxLength: number, options?: ValidationOptions): PropertyDecorator {
  return textRule('isIdentifierText', 'identifier', identifierProblem, maxLength, options);
}

/** Display text: the edge trims it (trimmed-fields.ts), then it must hold a visible character and no controls. */
export function IsNameText(maxLength: number, options?: ValidationOptions): PropertyDecorator {
  const rule = textRule('isNameText', 'name', nameProblem, maxLength, options);
  return (target, property) => {
    markTrimmed(target, String(property));
    rule(target, property);
  };
}

/** Like a name, with tabs and line breaks allowed inside. */
export function IsFreeText(maxLength: number, options?: ValidationOptions): PropertyDecorator {
  const rule = textRule('isFreeText', 'free text', freeTextProblem, maxLength, options);
  return (target, property) => {
    markTrimmed(target, String(property));
    rule(target, property);
  };
}

const AWARD_RATE_PROBLEMS: Record<AwardRateProblem | 'too-long', string> = {
  'too-long': `must be at most ${MAX_DECIMAL_TEXT_LENGTH} characters long`,
  'not-a-decimal': 'must be a decimal number such as "100" or "1.5"',
  negative: 'must not be negative',
  'too-many-decimals': 'must have at most 4 decimal places',
  'too-large': 'must be below 100000000',
};

/** The text's length is bounded before it is parsed: "1." and 10,000 zeros is refused, not read as 1. */
function awardRateProblem(value: unknown): AwardRateProblem | 'too-long' | null {
  const textProblem = decimalTextProblem(value);
  if (textProblem !== null) return textProblem === 'too-long' ? 'too-long' : 'not-a-decimal';
  const parsed = parseAwardRate(value as string);
  return typeof parsed === 'string' ? parsed : null;
}

export function IsAwardRate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAwardRate',
      validator: {
        validate: (value) => awardRateProblem(value) === null,
        defaultMessage: (args) => `${args?.property} ${AWARD_RATE_PROBLEMS[awardRateProblem(args?.value) ?? 'not-a-decimal']}`,
      },
    },
    options,
  );
}
