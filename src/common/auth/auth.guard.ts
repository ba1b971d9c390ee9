import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { Role } from './principal';
import { AuthFailure, RequestWithPrincipal, ROLES_KEY } from './roles.decorator';

/**
 * Checks every GraphQL operation's role before any input rule runs (guards run before pipes in Nest), so a bad
 * token gets UNAUTHENTICATED and a wrong role FORBIDDEN whatever the input says. The caller was identified once
 * per HTTP request at the edge (src/edge/edge-hooks.ts): a thousand aliases cost one token lookup, not a thousand.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    // Health checks and other plain HTTP routes are public.
    if (context.getType<string>() !== 'graphql') return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    // Field resolvers of an already-authorized parent carry no @Roles of their own.
    const gql = GqlExecutionContext.create(context);
    const info = gql.getInfo<{ parentType?: { name: string } }>();
    const isRootField = ['Query', 'Mutation', 'Subscription'].includes(info.parentType?.name ?? '');
    if (!isRootField) return true;
    if (!roles || roles.length === 0) throw new DomainError(ErrorCode.FORBIDDEN, 'This operation is not allowed');

    const request = gql.getContext<{ req: RequestWithPrincipal }>().req;
    const principal = request.principal;
    if (!principal) throw unauthenticated(request.authFailure ?? { reason: 'missing' });
    if (!roles.includes(principal.role)) {
      throw new DomainError(ErrorCode.FORBIDDEN, `This operation needs the role ${roles.join(' or ')}`);
    }
    return true;
  }
}

function unauthenticated(failure: AuthFailure): unknown {
  switch (failure.reason) {
    case 'missing':
      return new DomainError(ErrorCode.UNAUTHENTICATED, 'Send a token: Authorization: Bearer <token>');
    case 'invalid':
      return new DomainError(ErrorCode.UNAUTHENTICATED, 'The token is not valid');
    case 'lookup-failed':
      // Answered as what it is: the database did not answer (SERVICE_UNAVAILABLE), or a bug.
      return failure.error;
  }
}
