import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { AuditorTokenDirectory } from '../../auditor-tokens/auditor-token-directory';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { RetailerDirectory } from '../../retailers/retailer-directory';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { Principal, Role } from './principal';
import { RequestWithPrincipal, ROLES_KEY } from './roles.decorator';
import { bearerToken, hashToken, sameDigest } from './tokens';

/**
 * Authenticates every GraphQL operation and checks its role before any input rule runs (guards run before
 * pipes in Nest), so a bad token gets UNAUTHENTICATED and a wrong role FORBIDDEN whatever the input says.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly adminDigest: Buffer | null;
  private readonly auditorDigest: Buffer | null;

  constructor(
    private readonly reflector: Reflector,
    private readonly retailers: RetailerDirectory,
    private readonly auditors: AuditorTokenDirectory,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.adminDigest = config.adminApiToken ? hashToken(config.adminApiToken) : null;
    this.auditorDigest = config.auditorApiToken ? hashToken(config.auditorApiToken) : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Health checks and other plain HTTP routes are public.
    if (context.getType<string>() !== 'graphql') return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    // Field resolvers of an already-authorized parent carry no @Roles of their own.
    const info = GqlExecutionContext.create(context).getInfo<{ parentType?: { name: string } }>();
    const isRootField = ['Query', 'Mutation', 'Subscription'].includes(info.parentType?.name ?? '');
    if (!isRootField) return true;
    if (!roles || roles.length === 0) throw new DomainError(ErrorCode.FORBIDDEN, 'This operation is not allowed');

    const request = GqlExecutionContext.create(context).getContext<{ req: RequestWithPrincipal }>().req;
    const principal = await this.authenticate(bearerToken(request.headers.authorization));
    if (!roles.includes(principal.role)) {
      throw new DomainError(ErrorCode.FORBIDDEN, `This operation needs the role ${roles.join(' or ')}`);
    }
    request.principal = principal;
    return true;
  }

  private async authenticate(token: string | null): Promise<Principal> {
    if (token === null) {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Send a token: Authorization: Bearer <token>');
    }
    const digest = hashToken(token);
    if (this.adminDigest && sameDigest(digest, this.adminDigest)) return { role: Role.ADMIN };
    if (this.auditorDigest && sameDigest(digest, this.auditorDigest)) return { role: Role.AUDITOR };
    if ((await this.auditors.findLive(token, digest)) !== null) return { role: Role.AUDITOR };
    const retailer = await this.retailers.findByTokenDigest(digest);
    if (retailer) return { role: Role.POS, retailer };
    throw new DomainError(ErrorCode.UNAUTHENTICATED, 'The token is not valid');
  }
}
