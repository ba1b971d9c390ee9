import type { FastifyRequest } from 'fastify';
import { RequestWithPrincipal } from '../common/auth/roles.decorator';

export interface GraphqlContext {
  req: FastifyRequest & RequestWithPrincipal;
  /** When the service received the request: the default purchasedAt and the clock of the time window. */
  receivedAt: Date;
}
