/** Every error a client can see carries one of these codes: the contract's list and the edge's three below. */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CUSTOMER_NOT_FOUND = 'CUSTOMER_NOT_FOUND',
  PRODUCT_NOT_FOUND = 'PRODUCT_NOT_FOUND',
  NOT_FOUND = 'NOT_FOUND',
  IDEMPOTENCY_CONFLICT = 'IDEMPOTENCY_CONFLICT',
  INSUFFICIENT_POINTS = 'INSUFFICIENT_POINTS',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  // Added to the contract's list for the edge (refused before any resolver runs, or a fault that is not a bug).
  /** The document is larger, deeper or costlier than the configured limits allow; nothing was executed. */
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  /** Too many requests from this token or address; `retryAfterSeconds` in the extensions says when to retry. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** The database did not answer in time; `retryable: true`. A retried purchase is a replay, never a double. */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
}
