import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';

/** Throttler guard whose 429 always carries a plain `Retry-After`, whichever limit was hit. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const reply = context.switchToHttp().getResponse<{ header(name: string, value: unknown): void }>();
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    reply.header('Retry-After', retryAfter);
    throw new ThrottlerException(`Too many requests; try again in ${retryAfter} s`);
  }

  override canActivate(context: ExecutionContext): Promise<boolean> {
    // Socket events are limited by the gateway itself.
    if (context.getType() !== 'http') return Promise.resolve(true);
    // Every limit skips this request (RATE_LIMIT=off, say): passed without the per-limit metadata lookups.
    if (this.throttlers.every((t) => (t.skipIf ?? this.commonOptions.skipIf)?.(context))) return Promise.resolve(true);
    return super.canActivate(context);
  }
}
