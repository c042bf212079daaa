import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Principal } from './principal';
import { ModuleEnabledGuard } from './module-enabled.guard';

export const ACCESS_RULE = 'access:rule';
export const REQUIRED_MODULE = 'access:module';

export type AccessRule = { public: true } | { public?: false; policy?: string; admin?: boolean };

/** Reachable without a token. Every route must say `@Public()` or `@Authenticated(...)`. */
export const Public = () => SetMetadata(ACCESS_RULE, { public: true } satisfies AccessRule);

/** Needs a valid bearer token, and the policy (or admin) when given. */
export const Authenticated = (rule: { policy?: string; admin?: boolean } = {}) =>
  applyDecorators(
    SetMetadata(ACCESS_RULE, { public: false, ...rule } satisfies AccessRule),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No valid bearer token' }),
    ApiForbiddenResponse({ description: rule.policy ? `Needs ${rule.policy}` : rule.admin ? 'Admins only' : 'Forbidden' }),
  );

/** Refuses with 403 while the caller's department has switched the named module off. */
export const RequiresModule = (moduleName: string) =>
  applyDecorators(SetMetadata(REQUIRED_MODULE, moduleName), UseGuards(ModuleEnabledGuard));

/** The authenticated caller. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<{ user: Principal }>().user;
});
