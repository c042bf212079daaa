import { CanActivate, ExecutionContext, ForbiddenException, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ACCESS_RULE, holdsPolicy, type AccessRule, type Principal } from '../common/access';
import { JwtStrategy } from './jwt.strategy';
import { PrincipalService } from './principal.service';
import { bearerToken, VerifiedTokens } from './verified-tokens';

type StrategyAttempt = {
  authenticate(req: unknown, options: object): void;
  success(user: Principal): void;
  fail(): void;
  error(e: unknown): void;
};

/**
 * The global guard. Denies by default: a route is reachable only when it declares
 * `@Public()` or `@Authenticated(...)`.
 *
 * It runs this app's own passport-jwt strategy instance rather than passport's process-wide
 * registry, so two apps in one process (several test servers) never verify with each other's.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger(AccessGuard.name);
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: JwtStrategy,
    private readonly principals: PrincipalService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
    if (!rule) {
      this.logger.error(`${context.getClass().name}.${context.getHandler().name} declares no access rule; refused`);
      throw new ForbiddenException('This route declares no access rule');
    }
    if (rule.public) return true;
    const request = context.switchToHttp().getRequest<{ user?: Principal; headers: Record<string, unknown> }>();
    const caller = await this.identify(request);
    if (!caller) throw new UnauthorizedException('A valid bearer token is required');
    request.user = caller;
    if (rule.admin && !caller.isAdmin) throw new ForbiddenException('Only department admins may do this');
    if (rule.policy && !holdsPolicy(caller, rule.policy)) {
      throw new ForbiddenException(`This needs the ${rule.policy} permission`);
    }
    return true;
  }

  /** The caller: from a token verified before (until it expires), else through passport. */
  private async identify(request: { headers: Record<string, unknown> }): Promise<Principal | null> {
    const token = bearerToken(request.headers.authorization);
    const known = token ? this.verified.get(token) : undefined;
    if (known) {
      const principal = await this.principals.forMember(known.sub);
      return principal && principal.departmentId === known.dept ? principal : null;
    }
    const caller = await this.authenticate(request);
    if (caller && token) this.verified.remember(token);
    return caller;
  }

  /** One passport attempt, as passport's middleware would make it: success, fail or error. */
  private authenticate(request: unknown): Promise<Principal | null> {
    return new Promise((resolve, reject) => {
      const attempt = Object.create(this.strategy) as StrategyAttempt;
      attempt.success = (user) => resolve(user);
      attempt.fail = () => resolve(null);
      attempt.error = (e) => (e instanceof Error && /signing key/.test(e.message) ? resolve(null) : reject(e));
      attempt.authenticate(request, { session: false });
    });
  }
}
