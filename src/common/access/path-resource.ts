import { CanActivate, ExecutionContext, Inject, Injectable, mixin, UseGuards, type Type } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { isId } from '../validation/ids';
import type { Principal } from './principal';

/** Says whether the caller may see the thing a path id names; the feature that owns it implements it. */
export interface PathResource {
  /** Whether `id` names something the caller may see; false answers 404. */
  visibleTo(caller: Principal, id: number): Promise<boolean>;
  /** The 404's message, e.g. "Conversation 7 not found". */
  notFound(id: number): string;
}

/**
 * Resolves the path id before the body is looked at: guards run before pipes, so a conversation
 * the caller is not in, or another department's dispatch, answers 404 whatever the body says.
 * A malformed id passes on to `ParseIdPipe`, which answers 400 naming it.
 */
export function ResolvesPathId(resource: Type<PathResource>, param = 'id') {
  @Injectable()
  class PathResourceGuard implements CanActivate {
    constructor(@Inject(resource) private readonly resolver: PathResource) {}

    async canActivate(context: ExecutionContext): Promise<boolean> {
      const request = context.switchToHttp().getRequest<{ user?: Principal; params?: Record<string, string> }>();
      const raw = request.params?.[param];
      if (!request.user || typeof raw !== 'string' || !isId(raw)) return true;
      const id = Number(raw);
      if (!(await this.resolver.visibleTo(request.user, id))) throw DomainError.notFound(this.resolver.notFound(id));
      return true;
    }
  }
  return UseGuards(mixin(PathResourceGuard));
}
