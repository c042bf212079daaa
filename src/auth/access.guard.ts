import { ExecutionContext, ForbiddenException, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ACCESS_RULE, holdsPolicy, type AccessRule, type Principal } from '../common/access';

/**
 * The global guard. Denies by default: a route is reachable only when it declares
 * `@Public()` or `@Authenticated(...)`.
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger(AccessGuard.name);

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
    if (!rule) {
      this.logger.error(`${context.getClass().name}.${context.getHandler().name} declares no access rule; refused`);
      throw new ForbiddenException('This route declares no access rule');
    }
    if (rule.public) return true;
    await super.canActivate(context);
    const caller = context.switchToHttp().getRequest<{ user: Principal }>().user;
    if (rule.admin && !caller.isAdmin) throw new ForbiddenException('Only department admins may do this');
    if (rule.policy && !holdsPolicy(caller, rule.policy)) {
      throw new ForbiddenException(`This needs the ${rule.policy} permission`);
    }
    return true;
  }

  override handleRequest<T>(error: unknown, principal: T): T {
    if (error || !principal) throw new UnauthorizedException('A valid bearer token is required');
    return principal;
  }
}
