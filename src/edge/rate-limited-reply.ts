import type { FastifyReply } from 'fastify';
import { ErrorCode } from '../common/errors/error-code';

/** Rate-limited anonymous requests held back at once; past this they are answered at once and disconnected. */
const MAX_HELD = 256;
/** How long a refused anonymous request is held before its answer, at most. */
const MAX_HOLD_MS = 1_000;

/**
 * Answers a rate-limited request: HTTP 429 with a Retry-After header and a GraphQL error body (RATE_LIMITED with
 * `retryAfterSeconds`), before the body is read or any GraphQL work is done.
 *
 * A caller without a valid token is also held for up to a second before the answer (a tarpit), so that a client
 * looping on refusals costs the service one answer a second instead of thousands; at most MAX_HELD such answers
 * wait at once, and past that a refusal comes at once with the connection closed.
 */
export class RateLimitedReplies {
  private held = 0;

  send(reply: FastifyReply, retryAfterSeconds: number, anonymous: boolean): Promise<void> | FastifyReply {
    reply
      .code(429)
      .header('retry-after', String(retryAfterSeconds))
      .header('content-type', 'application/json; charset=utf-8');
    const body = JSON.stringify({
      errors: [
        {
          message: `Too many requests: retry in ${retryAfterSeconds} s`,
          extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds },
        },
      ],
    });
    if (!anonymous) return reply.send(body);
    if (this.held >= MAX_HELD) return reply.header('connection', 'close').send(body);
    this.held++;
    return new Promise<void>((resolve) => {
      setTimeout(() => {
        this.held--;
        void reply.send(body);
        resolve();
      }, Math.min(retryAfterSeconds * 1000, MAX_HOLD_MS)).unref();
    });
  }
}
