import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLFormattedError } from 'graphql';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-code';

/**
 * Codes that GraphQL itself assigns before any resolver runs (no `path`): the document did not parse or fit the
 * schema, or a scalar refused a value. The contract allows these to come before authentication.
 */
const SCHEMA_LEVEL_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

const INTERNAL_MESSAGE = 'Internal server error';

/** Whether a code's message is the client's to read. Exhaustive: a new code does not compile until decided. */
function exposesMessage(code: ErrorCode): boolean {
  switch (code) {
    case ErrorCode.UNAUTHENTICATED:
    case ErrorCode.FORBIDDEN:
    case ErrorCode.BAD_USER_INPUT:
    case ErrorCode.CUSTOMER_NOT_FOUND:
    case ErrorCode.PRODUCT_NOT_FOUND:
    case ErrorCode.NOT_FOUND:
    case ErrorCode.IDEMPOTENCY_CONFLICT:
    case ErrorCode.INSUFFICIENT_POINTS:
      return true;
    case ErrorCode.INTERNAL_SERVER_ERROR:
      return false;
  }
}

/**
 * The one mapping from whatever was thrown to what a client sees: domain errors keep their code and message,
 * schema-level errors keep GraphQL's, and everything else becomes INTERNAL_SERVER_ERROR with a fixed message
 * (reported through `onInternal`, never shown).
 */
export function formatGraphqlError(
  formatted: GraphQLFormattedError,
  error: unknown,
  onInternal: (error: unknown) => void,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { locations: formatted.locations, path: formatted.path };
  if (original instanceof DomainError) {
    const message = exposesMessage(original.code) ? original.message : INTERNAL_MESSAGE;
    return { ...base, message, extensions: { code: original.code } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && SCHEMA_LEVEL_CODES.has(code) && !formatted.path) {
    return { ...base, message: formatted.message, extensions: { code } };
  }
  onInternal(original);
  return { ...base, message: INTERNAL_MESSAGE, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}
