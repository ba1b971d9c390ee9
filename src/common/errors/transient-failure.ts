/**
 * Whether an error means "the database did not answer" (down, restarting, unreachable, overloaded, a statement or
 * lock wait over its timeout, a deadlock victim) rather than a bug. Such a failure is answered SERVICE_UNAVAILABLE
 * with `retryable: true`: every write is idempotent, so a retry of something that did commit is a replay.
 */
export function isTransientDatabaseFailure(error: unknown): boolean {
  return someCause(error, (e) => {
    const code = typeof e.code === 'string' ? e.code : typeof e.sqlState === 'string' ? e.sqlState : '';
    if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2))) return true;
    if (NETWORK_CODES.has(code)) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    return TRANSIENT_MESSAGES.some((m) => message.includes(m));
  });
}

/** Class 08 connection exception; class 53 insufficient resources (too many connections, disk full, memory). */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '53']);
const TRANSIENT_SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is stopping or restarting
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or in recovery
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** node-postgres's own messages for a lost or never-made connection (they carry no code). */
const TRANSIENT_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Query read timeout',
  'connect ECONNREFUSED',
];

type ErrorLike = { code?: unknown; sqlState?: unknown; message?: unknown; cause?: unknown; previous?: unknown };

/** The error and what it wraps (MikroORM's `previous`, `cause`), a few levels deep. */
function someCause(error: unknown, test: (e: ErrorLike) => boolean, depth = 0): boolean {
  if (depth > 4 || typeof error !== 'object' || error === null) return false;
  const e = error as ErrorLike;
  return test(e) || someCause(e.cause, test, depth + 1) || someCause(e.previous, test, depth + 1);
}
