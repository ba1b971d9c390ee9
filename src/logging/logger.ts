import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

/**
 * JSON logs. Tokens never reach them: headers are not logged and the authorization header is redacted.
 * Standard output by default; a command whose output is its result (reconcile --json) logs to stderr.
 */
export function createLogger(level: string, destination: 'stdout' | 'stderr' = 'stdout'): Logger {
  return pino(
    {
      level,
      base: { service: 'loyalty-ledger' },
      redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.authToken'], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination === 'stderr' ? pino.destination({ dest: 2, sync: true }) : undefined,
  );
}

/** Nest's own messages (start-up, errors) through the same pino logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

/**
 * Ends the process once every log line is written, in order. pino's stdout stream writes asynchronously, and its
 * flush() answers at once when nothing is queued; at process.exit its exit hook writes what was queued
 * synchronously, which can land ahead of a line whose write is still in flight (the drain's last steps then read
 * out of order). Ending the stream waits for the write in flight, then closes it; a bound keeps a stuck stdout
 * from holding the exit.
 */
export function exitAfterLogs(logger: Logger, code: number, boundMs = 2000): void {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as
    | { end?: () => void; once?: (event: string, listener: () => void) => void; destroyed?: boolean }
    | undefined;
  setTimeout(() => process.exit(code), boundMs).unref();
  if (!stream || typeof stream.end !== 'function' || typeof stream.once !== 'function' || stream.destroyed) {
    process.exit(code);
    return;
  }
  stream.once('close', () => process.exit(code));
  stream.once('error', () => process.exit(code));
  stream.end();
}
