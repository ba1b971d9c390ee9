import { ValidateBy, ValidationOptions } from 'class-validator';
import { parseAwardRate } from '../../promotions/award-rate';
import { isIanaTimeZone } from '../time/local-date';

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

const AWARD_RATE_PROBLEMS: Record<string, string> = {
  'not-a-decimal': 'must be a decimal number such as "100" or "1.5"',
  negative: 'must not be negative',
  'too-many-decimals': 'must have at most 4 decimal places',
  'too-large': 'must be below 100000000',
};

export function IsAwardRate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAwardRate',
      validator: {
        validate: (value) => typeof value === 'string' && typeof parseAwardRate(value) !== 'string',
        defaultMessage: (args) => {
          const problem = typeof args?.value === 'string' ? parseAwardRate(args.value) : 'not-a-decimal';
          return `${args?.property} ${AWARD_RATE_PROBLEMS[typeof problem === 'string' ? problem : 'not-a-decimal']}`;
        },
      },
    },
    options,
  );
}

/** Printable text: no control characters (C0, DEL, C1). */
export function HasNoControlCharacters(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hasNoControlCharacters',
      validator: {
        // eslint-disable-next-line no-control-regex
        validate: (value) => typeof value === 'string' && !/[\u0000-\u001f\u007f-\u009f]/.test(value),
        defaultMessage: (args) => `${args?.property} must not contain control characters`,
      },
    },
    options,
  );
}

/** Length in characters (code points), not UTF-16 units, so an emoji counts once. */
export function CharLength(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'charLength',
      validator: {
        validate: (value) => typeof value === 'string' && [...value].length >= min && [...value].length <= max,
        defaultMessage: (args) => `${args?.property} must be ${min} to ${max} characters long`,
      },
    },
    options,
  );
}
