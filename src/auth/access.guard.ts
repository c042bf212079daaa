import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { ACCESS_TABLE, refusalOf, routeAction, type AccessRule, type AccessTable, type Principal } from '../common/access';
import { JwtStrategy } from './jwt.strategy';
import { PrincipalService } from './principal.service';
import type { AccessTokenClaims } from './token.service';
import { bearerToken, VerifiedTokens } from './verified-tokens';

type StrategyAttempt = {
  authenticate(req: unknown, options: object): void;
  success(identified: Identified): void;
  fail(): void;
  error(e: unknown): void;
};

type Identified = { principal: Principal; claims: AccessTokenClaims };

/** What the guard leaves on an authenticated request: the caller, and the claims of their token (logout needs its id). */
export interface AuthenticatedRequest {
  user: Principal;
  claims: AccessTokenClaims;
  headers: Record<string, unknown>;
}

/**
 * The global guard, driven by the access table. Denies by default: a route is reachable only
 * when the table lists it, and then only as its rule says (401 without a valid token, 403
 * naming what is missing).
 *
 * It runs this app's own passport-jwt strategy instance rather than passport's process-wide
 * registry, so two apps in one process (several test servers) never verify with each other's.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger(AccessGuard.name);
  private readonly verified = new VerifiedTokens();
  private readonly rules = new WeakMap<object, AccessRule | null>();

  constructor(
    @Inject(ACCESS_TABLE) private readonly table: AccessTable,
    private readonly strategy: JwtStrategy,
    private readonly principals: PrincipalService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rule = this.ruleOf(context);
    if (!rule) {
      this.logger.error(`${context.getClass().name}.${context.getHandler().name} is not in the access table; refused`);
      throw new ForbiddenException('This route declares no access rule');
    }
    if (rule.public) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const identified = await this.identify(request);
    if (!identified) throw new UnauthorizedException('A valid bearer token is required');
    request.user = identified.principal;
    request.claims = identified.claims;
    const refusal = refusalOf(identified.principal, rule);
    if (refusal) throw new ForbiddenException(refusal);
    return true;
  }

  private ruleOf(context: ExecutionContext): AccessRule | null {
    const handler = context.getHandler();
    let rule = this.rules.get(handler);
    if (rule === undefined) {
      const action = routeAction(context.getClass(), handler);
      rule = (action && this.table[action]) || null;
      this.rules.set(handler, rule);
    }
    return rule;
  }

  /** The caller: from a token verified before (until it expires), else through passport. */
  private async identify(request: { headers: Record<string, unknown> }): Promise<Identified | null> {
    const token = bearerToken(request.headers.authorization);
    const known = token ? this.verified.get(token) : undefined;
    if (known) {
      const principal = await this.principals.forToken(known);
      return principal ? { principal, claims: known } : null;
    }
    const identified = await this.authenticate(request);
    if (identified && token) this.verified.remember(token, identified.claims);
    return identified;
  }

  /** One passport attempt, as passport's middleware would make it: success, fail or error. */
  private authenticate(request: unknown): Promise<Identified | null> {
    return new Promise((resolve, reject) => {
      const attempt = Object.create(this.strategy) as StrategyAttempt;
      attempt.success = (identified) => resolve(identified);
      attempt.fail = () => resolve(null);
      attempt.error = (e) => (e instanceof Error && /signing key/.test(e.message) ? resolve(null) : reject(e));
      attempt.authenticate(request, { session: false });
    });
  }
}
