import { GraphQLError, GraphQLScalarType, Kind, ValueNode } from 'graphql';
import { Instant, parseRfc3339 } from '../time/instant';
import { isLocalDate } from '../time/local-date';

// A value a scalar refuses is a client error: the contract lets it be refused before auth, as BAD_USER_INPUT.
const refuse = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

function literalText(ast: ValueNode): string | null {
  return ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT ? ast.value : null;
}

/** Whole numbers as decimal strings: point totals exceed 2^53 and must never pass through a JS number. */
export const BigIntScalar = new GraphQLScalarType<bigint, string>({
  name: 'BigInt',
  description: 'A whole number carried as a decimal string, because point totals can exceed 2^31.',
  serialize(value) {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value.toString();
    throw new GraphQLError('BigInt cannot represent this value');
  },
  parseValue(value) {
    const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
    if (typeof text !== 'string' || !/^-?\d+$/.test(text)) throw refuse('BigInt must be a whole number');
    return BigInt(text);
  },
  parseLiteral(ast) {
    const text = ast.kind === Kind.FLOAT ? null : literalText(ast);
    if (text === null || !/^-?\d+$/.test(text)) throw refuse('BigInt must be a whole number');
    return BigInt(text);
  },
});

const DECIMAL_TEXT = /^[+-]?\d+(\.\d+)?$/;

/** Exact decimals as strings ("1.5"); the domain parses them into scaled integers. */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'An exact decimal number carried as a string, e.g. "1.5".',
  serialize(value) {
    if (typeof value === 'string' && DECIMAL_TEXT.test(value)) return value;
    throw new GraphQLError('Decimal cannot represent this value');
  },
  parseValue(value) {
    if (typeof value !== 'string' || !DECIMAL_TEXT.test(value.trim())) {
      throw refuse('Decimal must be a decimal number written as a string, e.g. "1.5"');
    }
    return value.trim();
  },
  parseLiteral(ast) {
    const text = literalText(ast);
    if (text === null || !DECIMAL_TEXT.test(text)) throw refuse('Decimal must be a decimal number, e.g. "1.5"');
    return text;
  },
});

function parseDateTime(value: unknown): Instant {
  const instant = typeof value === 'string' ? parseRfc3339(value) : null;
  if (!instant) {
    throw refuse('DateTime must be an RFC 3339 date-time with an offset, e.g. 2026-11-24T18:30:00-08:00');
  }
  return instant;
}

export const DateTimeScalar = new GraphQLScalarType<Instant, string>({
  name: 'DateTime',
  description:
    'An RFC 3339 date-time with an explicit offset, "Z" or +hh:mm/-hh:mm, e.g. 2026-11-24T18:30:00-08:00.',
  serialize(value) {
    if (value instanceof Instant) return value.toIsoString();
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
    throw new GraphQLError('DateTime cannot represent this value');
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    return parseDateTime(ast.kind === Kind.STRING ? ast.value : null);
  },
});

function parseLocalDate(value: unknown): string {
  if (typeof value !== 'string' || !isLocalDate(value)) {
    throw refuse('LocalDate must be a real calendar date written YYYY-MM-DD');
  }
  return value;
}

export const LocalDateScalar = new GraphQLScalarType<string, string>({
  name: 'LocalDate',
  description: "A calendar date, YYYY-MM-DD, read in the retailer's own time zone.",
  serialize(value) {
    if (typeof value === 'string' && isLocalDate(value)) return value;
    throw new GraphQLError('LocalDate cannot represent this value');
  },
  parseValue: parseLocalDate,
  parseLiteral(ast) {
    return parseLocalDate(ast.kind === Kind.STRING ? ast.value : null);
  },
});
