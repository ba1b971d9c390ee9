import type { GraphQLFormattedError } from 'graphql';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { isTransientDatabaseFailure } from '../common/errors/transient-failure';

/**
 * The `outcome` label values of the metrics, from a bounded set so that no label can carry an id: a call's own
 * outcome (recorded, replayed) or the code its client was answered with.
 */

/**
 * The code a call that threw is answered with, as format-graphql-error.ts maps it: a domain error's own code,
 * SERVICE_UNAVAILABLE for a database that did not answer, INTERNAL_SERVER_ERROR for anything else.
 */
export function errorOutcome(error: unknown): ErrorCode {
  if (error instanceof DomainError) return error.code;
  return isTransientDatabaseFailure(error) ? ErrorCode.SERVICE_UNAVAILABLE : ErrorCode.INTERNAL_SERVER_ERROR;
}

/** What a GraphQL request can be answered with besides the service's own codes: refused before any resolver. */
const REQUEST_CODES = new Set<string>([
  ...Object.values(ErrorCode),
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
]);
/** Apollo's rarer refusals of a request (an operationName the document lacks, persisted queries): the client's. */
const OTHER_REFUSALS = new Set<string>(['OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

export const GRAPHQL_OK = 'ok';

/**
 * A GraphQL response's outcome: "ok" without errors, else its first error's code (already formatted). A code
 * from outside the known set is a bug of ours until proven otherwise: INTERNAL_SERVER_ERROR.
 */
export function graphqlOutcome(errors: ReadonlyArray<GraphQLFormattedError> | null | undefined): string {
  if (!errors || errors.length === 0) return GRAPHQL_OK;
  const code = errors[0].extensions?.code;
  if (typeof code === 'string') {
    if (REQUEST_CODES.has(code)) return code;
    if (OTHER_REFUSALS.has(code)) return 'BAD_REQUEST';
  }
  return ErrorCode.INTERNAL_SERVER_ERROR;
}
