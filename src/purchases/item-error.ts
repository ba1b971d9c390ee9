import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code';
import { errorOutcome } from '../metrics/outcomes';

export interface ItemError {
  code: string;
  message: string;
}

/**
 * What a refused item of a batch says: the code and message recordPurchase would have answered with for it
 * (format-graphql-error.ts): a domain error's own; a database that did not answer or a bug of ours, a fixed text
 * (the cause is logged, never shown).
 */
export function itemErrorOf(error: unknown): ItemError {
  const code = errorOutcome(error);
  if (error instanceof DomainError && code !== ErrorCode.INTERNAL_SERVER_ERROR) return { code, message: error.message };
  if (code === ErrorCode.SERVICE_UNAVAILABLE) {
    return { code, message: 'The service is temporarily unavailable; retry the same request shortly' };
  }
  return { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
}
