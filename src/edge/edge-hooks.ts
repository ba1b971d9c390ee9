import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Authenticator } from '../common/auth/authenticator';
import { AuthFailure, RequestWithPrincipal } from '../common/auth/roles.decorator';
import { bearerToken } from '../common/auth/tokens';
import { ErrorCode } from '../common/errors/error-code';
import { formatGraphqlError } from '../common/errors/format-graphql-error';
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
 *   rate-limited per token; a request without a valid token is rate-limited per client address and answered
 *   UNAUTHENTICATED at once, its body never parsed;
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

    if (isIdePage(request)) return;

    const caller = request as FastifyRequest & RequestWithPrincipal;
    const token = bearerToken(request.headers.authorization);
    let failure: AuthFailure = { reason: 'missing' };
    if (token !== null) {
      try {
        const found = await authenticator.authenticate(token);
        if (found.principal) {
          caller.principal = found.principal;
          const wait = perToken.take(found.key);
          if (wait > 0) await refusals.send(reply, wait, false);
          return;
        }
        failure = { reason: 'invalid' };
      } catch (error) {
        failure = { reason: 'lookup-failed', error };
      }
    }
    // Every operation needs a token: a request without a valid one is answered here, before its body is read or
    // parsed, so that anonymous traffic costs no GraphQL work at all (the contract checks authentication first).
    const wait = perAddress.take(request.ip);
    if (wait > 0) await refusals.send(reply, wait, true);
    else await reply.code(200).header('content-type', JSON_TYPE).send(refusalBody(failure, request));
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

const JSON_TYPE = 'application/json; charset=utf-8';

/** A browser asking for the development IDE's page (served only with GRAPHQL_IDE on; it needs no token). */
function isIdePage(request: FastifyRequest): boolean {
  return request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
}

function refusalBody(failure: AuthFailure, request: FastifyRequest): string {
  if (failure.reason === 'lookup-failed') {
    // The token could not be checked: the database did not answer, or a bug; answered as the mapping says.
    const formatted = formatGraphqlError({ message: '' }, failure.error);
    if (formatted.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR) request.log.error({ err: failure.error }, 'token lookup failed');
    else request.log.warn({ reason: String((failure.error as Error)?.message) }, 'token lookup: database unavailable');
    return JSON.stringify({ errors: [formatted] });
  }
  const message = failure.reason === 'missing' ? 'Send a token: Authorization: Bearer <token>' : 'The token is not valid';
  request.log.info({ codes: { [ErrorCode.UNAUTHENTICATED]: 1 } }, 'request refused');
  return JSON.stringify({ errors: [{ message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] });
}

function isGraphqlRoute(request: FastifyRequest): boolean {
  return request.url === '/graphql' || request.url.startsWith('/graphql?');
}
