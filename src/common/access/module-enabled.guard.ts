import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { moduleEnabled, type Principal } from './principal';
import { REQUIRED_MODULE } from './access.decorators';

export const moduleDisabledMessage = (moduleName: string) => `The ${moduleName} module is disabled for this department`;

/** Declared with `@RequiresModule(name)`; runs after the global access guard has set the caller. */
@Injectable()
export class ModuleEnabledGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const moduleName = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_MODULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!moduleName) return true;
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (principal && !moduleEnabled(principal, moduleName)) throw new ForbiddenException(moduleDisabledMessage(moduleName));
    return true;
  }
}
