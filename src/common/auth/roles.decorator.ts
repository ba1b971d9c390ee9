import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Principal, Role } from './principal';

export const ROLES_KEY = 'roles';

/** The roles allowed to call a resolver. Every resolver must say; the guard refuses one that does not. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** Why a request has no principal: no token, a token that is nobody's, or a lookup that failed (a fault). */
export type AuthFailure = { reason: 'missing' } | { reason: 'invalid' } | { reason: 'lookup-failed'; error: unknown };

/** What the edge (src/edge/edge-hooks.ts) found out about the caller, once per HTTP request. */
export interface RequestWithPrincipal {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
  authFailure?: AuthFailure;
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const request = GqlExecutionContext.create(context).getContext<{ req: RequestWithPrincipal }>().req;
  if (!request.principal) throw new Error('no principal: the resolver lacks @Roles');
  return request.principal;
});
