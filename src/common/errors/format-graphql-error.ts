import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-code';
import { isTransientDatabaseFailure } from './transient-failure';

/**
 * Codes assigned before any resolver runs (no `path`): the document did not parse or fit the schema, a scalar
 * refused a value, or the edge's limits refused the request. The contract allows these before authentication.
 */
const SCHEMA_LEVEL_CODES = new Set<string>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  ErrorCode.QUERY_TOO_COMPLEX,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.RATE_LIMITED,
]);

const INTERNAL_MESSAGE = 'Internal server error';

/** graphql-js's own message when the parser stops at the token limit ("Document contains more that N tokens"). */
const isTokenLimitMessage = (message: string) => /Document contains more th\w+ \d+ tokens/.test(message);
const UNAVAILABLE_MESSAGE = 'The service is temporarily unavailable; retry the same request shortly';

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
    case ErrorCode.QUERY_TOO_COMPLEX:
    case ErrorCode.RATE_LIMITED:
    case ErrorCode.SERVICE_UNAVAILABLE:
      return true;
    case ErrorCode.INTERNAL_SERVER_ERROR:
      return false;
  }
}

/** What was thrown, out of the GraphQLError that graphql-js or Apollo wrapped it in. */
function originalOf(error: unknown): unknown {
  return error instanceof GraphQLError && error.originalError ? originalOf(error.originalError) : error;
}

/** How an error is answered: the client's own doing, the database not answering, or a bug of ours. */
export type ErrorKind = 'client' | 'unavailable' | 'internal';

export function classifyError(formatted: GraphQLFormattedError, error: unknown): ErrorKind {
  const original = originalOf(error);
  if (original instanceof DomainError) return original.code === ErrorCode.SERVICE_UNAVAILABLE ? 'unavailable' : 'client';
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && SCHEMA_LEVEL_CODES.has(code) && !formatted.path) return 'client';
  if (isTransientDatabaseFailure(original)) return 'unavailable';
  // graphql-js's own refusals (validation, coercion, an operation type the schema lacks) wrap nothing.
  return original instanceof GraphQLError && !formatted.path ? 'client' : 'internal';
}

/**
 * The one mapping from whatever was thrown to what a client sees: domain errors keep their code, message and
 * hints; schema-level errors keep GraphQL's code and message; a database that does not answer is
 * SERVICE_UNAVAILABLE with `retryable: true`; everything else is INTERNAL_SERVER_ERROR with a fixed message
 * (logged with its request id by the GraphQL error-logging plugin, never shown).
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = originalOf(error);
  const base = { locations: formatted.locations, path: formatted.path };
  if (original instanceof DomainError) {
    const message = exposesMessage(original.code) ? original.message : INTERNAL_MESSAGE;
    return { ...base, message, extensions: { code: original.code, ...original.hints } };
  }
  const kind = classifyError(formatted, error);
  if (kind === 'client') {
    // Apollo files a validation rule's error under GRAPHQL_VALIDATION_FAILED; a limit's own code wins.
    const given = original instanceof GraphQLError && original.extensions?.code === ErrorCode.QUERY_TOO_COMPLEX
      ? ErrorCode.QUERY_TOO_COMPLEX
      : formatted.extensions?.code;
    const code = typeof given === 'string' && SCHEMA_LEVEL_CODES.has(given) ? given : 'GRAPHQL_VALIDATION_FAILED';
    // The parser's own words for its token limit, under the code of every other document limit.
    if (code === 'GRAPHQL_PARSE_FAILED' && isTokenLimitMessage(formatted.message)) {
      return { ...base, message: `The document has too many tokens (GRAPHQL_MAX_TOKENS)`, extensions: { code: ErrorCode.QUERY_TOO_COMPLEX } };
    }
    return { ...base, message: formatted.message, extensions: { code } };
  }
  if (kind === 'unavailable') {
    return { ...base, message: UNAVAILABLE_MESSAGE, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryable: true } };
  }
  return { ...base, message: INTERNAL_MESSAGE, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}
