import { createHash } from 'node:crypto';
import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import type { ExecutionContext } from '@nestjs/common';
import { MANY_PEOPLE, RATE_LIMIT_CLASS, RATE_LIMIT_LIST, RequestRateLimiter, type Principal } from '../common/access';
import { normalizeEmail } from '../common/validation/email';
import { isWellFormed } from '../common/validation/raw-input';
import { RedisStatus } from '../common/health/redis-status';
import type { Environment } from '../config/environment';
import { GuardedRequestRateLimiter } from './guarded-request-rate-limiter';
import { RateLimitGuard } from './rate-limit.guard';
import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { RefusedRequests } from './refused-requests';

const MINUTE_MS = 60_000;

/** Processes that share a database share their limits; another deployment on the same Redis does not. */
const deploymentNamespace = (databaseUrl: string) => createHash('sha256').update(databaseUrl).digest('hex').slice(0, 12);

type Request = Record<string, any> & { ip?: string; user?: Principal; body?: Record<string, unknown> };

const LIMIT_COUNTS = Symbol('LIMIT_COUNTS');

/** What a login's email counts under: its normalized form (a malformed one under its own text). */
const emailKey = (email: unknown) => (typeof email === 'string' && isWellFormed(email) ? normalizeEmail(email) : String(email ?? ''));

/** With REDIS_URL, the counts live in Redis (closed with the app); without, in this process. */
@Module({
  providers: [
    {
      provide: LIMIT_COUNTS,
      inject: [ConfigService, RedisStatus],
      useFactory: (config: ConfigService<Environment, true>, status: RedisStatus) => {
        const redisUrl = config.get('REDIS_URL', { infer: true });
        return redisUrl
          ? new RedisThrottlerStorage(redisUrl, deploymentNamespace(config.get('DATABASE_URL', { infer: true }) as string), status)
          : new MemoryThrottlerStorage();
      },
    },
  ],
  exports: [LIMIT_COUNTS],
})
class RateLimitStorageModule {}

const classOf = (ctx: ExecutionContext): string | undefined => Reflect.getMetadata(RATE_LIMIT_CLASS, ctx.getHandler());

/** A route under its class only when its body lists many people: the raw body, since pipes run after guards. */
const reachesFew = (ctx: ExecutionContext): boolean => {
  const field: string | undefined = Reflect.getMetadata(RATE_LIMIT_LIST, ctx.getHandler());
  if (!field) return false;
  const listed = ctx.switchToHttp().getRequest<Request>().body?.[field];
  return !(Array.isArray(listed) && listed.length >= MANY_PEOPLE);
};

/**
 * Every caller is limited per user (per address before login); logins per email and per
 * address; mass sends more strictly. With REDIS_URL the counts are shared by all processes.
 * `RATE_LIMIT=off` turns it all off. Global for its `RequestRateLimiter`.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [ConfigService, LIMIT_COUNTS],
      useFactory: (config: ConfigService<Environment, true>, storage: ThrottlerStorage): ThrottlerModuleOptions => {
        const off = config.get('RATE_LIMIT', { infer: true }) === 'off';
        const byCaller = (req: Request) => (req.user ? `user:${req.user.userId}` : `ip:${req.ip}`);
        // A throttler's own skipIf replaces the common one, so each repeats the switch.
        const only = (kind: string) => (ctx: ExecutionContext) => off || classOf(ctx) !== kind;
        return {
          skipIf: () => off,
          storage,
          throttlers: [
            { name: 'default', ttl: MINUTE_MS, limit: config.get('RATE_LIMIT_PER_MINUTE', { infer: true }), getTracker: byCaller },
            {
              name: 'login-email',
              ttl: MINUTE_MS,
              limit: config.get('LOGIN_ATTEMPTS_PER_MINUTE', { infer: true }),
              skipIf: only('login'),
              // The raw body (pipes run after guards), so normalized here as the login will be.
              getTracker: (req: Request) => `email:${emailKey(req.body?.email)}`,
            },
            {
              name: 'login-address',
              ttl: MINUTE_MS,
              limit: config.get('LOGIN_ATTEMPTS_PER_MINUTE', { infer: true }) * 5,
              skipIf: only('login'),
              getTracker: (req: Request) => `ip:${req.ip}`,
            },
            {
              name: 'mass-send',
              ttl: MINUTE_MS,
              limit: config.get('MASS_SENDS_PER_MINUTE', { infer: true }),
              skipIf: (ctx: ExecutionContext) => only('mass-send')(ctx) || reachesFew(ctx),
              getTracker: byCaller,
            },
          ],
        };
      },
    }),
  ],
  providers: [
    RateLimitGuard,
    { provide: APP_GUARD, useExisting: RateLimitGuard },
    // For a module's routes answered outside the pipeline (the messages module's polled routes).
    { provide: RequestRateLimiter, useClass: GuardedRequestRateLimiter },
    RefusedRequests,
  ],
  exports: [RequestRateLimiter],
})
export class RateLimitModule {}
