import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Principal, Role } from './principal';

export const ROLES_KEY = 'roles';

/** The roles allowed to call a resolver. Every resolver must say; the guard refuses one that does not. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export interface RequestWithPrincipal {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const request = GqlExecutionContext.create(context).getContext<{ req: RequestWithPrincipal }>().req;
  if (!request.principal) throw new Error('no principal: the resolver lacks @Roles');
  return request.principal;
});
