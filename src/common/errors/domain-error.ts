import { ErrorCode } from './error-code';

/**
 * An expected failure with a client-facing code and message. Its message is shown to the client as is, so it
 * must never carry internals (SQL, stack, hostnames). Anything that is not a DomainError is an internal failure.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (message: string) => new DomainError(ErrorCode.BAD_USER_INPUT, message);
export const notFound = (message: string) => new DomainError(ErrorCode.NOT_FOUND, message);
