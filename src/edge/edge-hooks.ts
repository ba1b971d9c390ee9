import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Authenticator } from '../common/auth/authenticator';
import { RequestWithPrincipal } from '../common/auth/roles.decorator';
import { bearerToken } from '../common/auth/tokens';
import { ErrorCode } from '../common/errors/error-code';
import { TokenBuckets } from '../common/rate-limit/token-buckets';
import { AppConfig } from '../config/config';
import { RateLimitedReplies } from './rate-limited-reply';

/** A client's own correlation id is logged beside ours, never as ours; this much of it at most. */
const CLIENT_REQUEST_ID_MAX = 128;

/**
 * What happens to every HTTP request before GraphQL sees it, in one place:
 * - the service's own request id (generated, never the client's) is sent back as `x-request-id`; a client's
 *   `x-request-id` is logged as `clientRequestId`;
 * - on /graphql the caller is identified once (Authenticator: cached, unknown tokens too, on the auth pool) and
 *   rate-limited: per token when the token is valid, per client address when there is none or it is nobody's;
 * - a GraphQL response larger than GRAPHQL_MAX_RESPONSE_BYTES is replaced by a QUERY_TOO_COMPLEX error.
 */
export function registerEdgeHooks(fastify: FastifyInstance, authenticator: Authenticator, config: AppConfig): void {
  const perToken = new TokenBuckets(config.rateLimitPerToken);
  const perAddress = new TokenBuckets(config.rateLimitPerAddress);
  const refusals = new RateLimitedReplies();
  const maxResponseBytes = config.graphqlLimits.maxResponseBytes;

  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    void reply.header('x-request-id', request.id);
    const clientId = request.headers['x-request-id'];
    if (typeof clientId === 'string' && clientId !== '') {
      request.log = request.log.child({ clientRequestId: clientId.slice(0, CLIENT_REQUEST_ID_MAX) });
    }
    if (!isGraphqlRoute(request)) return;

    const caller = request as FastifyRequest & RequestWithPrincipal;
    const token = bearerToken(request.headers.authorization);
    let key: string | null = null;
    if (token === null) caller.authFailure = { reason: 'missing' };
    else {
      try {
        const found = await authenticator.authenticate(token);
        if (found.principal) {
          caller.principal = found.principal;
          key = found.key;
        } else caller.authFailure = { reason: 'invalid' };
      } catch (error) {
        caller.authFailure = { reason: 'lookup-failed', error };
      }
    }
    const wait = key !== null ? perToken.take(key) : perAddress.take(request.ip);
    if (wait > 0) {
      request.log.info({ anonymous: key === null }, 'rate limited');
      await refusals.send(reply, wait, key === null);
    }
  });

  fastify.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
    const size = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload.length : 0;
    if (size <= maxResponseBytes || !isGraphqlRoute(request)) return done(null, payload);
    request.log.warn({ bytes: size }, 'response over the size limit replaced by an error');
    const message = `The response would be larger than ${maxResponseBytes} bytes (GRAPHQL_MAX_RESPONSE_BYTES): ask for less`;
    void reply.header('content-type', 'application/json; charset=utf-8');
    done(null, JSON.stringify({ errors: [{ message, extensions: { code: ErrorCode.QUERY_TOO_COMPLEX } }], data: null }));
  });
}

function isGraphqlRoute(request: FastifyRequest): boolean {
  return request.url === '/graphql' || request.url.startsWith('/graphql?');
}
