import { IntrinsicException } from '@nestjs/common';
import { ErrorCode } from './error-code';

/** Extra fields a client may act on, carried in the GraphQL error's extensions beside the code. */
export interface ErrorHints {
  /** The same request may succeed later (a fault, a limit): a purchase retried is a replay, never a double. */
  retryable?: boolean;
  retryAfterSeconds?: number;
}

/**
 * An expected failure with a client-facing code and message. Its message is shown to the client as is, so it
 * must never carry internals (SQL, stack, hostnames). Anything that is not a DomainError is an internal failure.
 *
 * It extends Nest's IntrinsicException so that Nest's exceptions handler does not log it at error level with a
 * stack: a client's mistake is the client's, and one request could otherwise write a thousand error lines.
 */
export class DomainError extends IntrinsicException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hints: ErrorHints = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (message: string) => new DomainError(ErrorCode.BAD_USER_INPUT, message);
export const notFound = (message: string) => new DomainError(ErrorCode.NOT_FOUND, message);
