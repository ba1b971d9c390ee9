import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../common/errors/error-code';

/**
 * A refusal by one of the document limits: HTTP 400 like any document that does not validate, with the code
 * QUERY_TOO_COMPLEX and a message that names the limit and the setting that moves it.
 */
export function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, http: { status: 400 } } });
}

