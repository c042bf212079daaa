import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import Redis from 'ioredis';
import type { RedisStatus } from '../common/health/redis-status';
import { MemoryThrottlerStorage } from './memory-throttler.storage';

// One round trip: count the hit, start the window on the first one, block when over the limit.
const COMMAND_TIMEOUT_MS = 500;
const LOCAL_AFTER_FAILURE_MS = 2_000;

const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
local blockTtl = redis.call('PTTL', KEYS[2])
if blockTtl <= 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blockTtl = tonumber(ARGV[3])
end
return { hits, ttl, blockTtl }
`;

const USER = 'rate limits';

/**
 * Counts requests in Redis, so every server process shares one limit per user. While Redis
 * cannot be reached (down, or not answering within `COMMAND_TIMEOUT_MS`) each process counts
 * in memory instead, so the limits still apply, per process; the shared counts resume when it is back.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: Redis;
  private readonly local = new MemoryThrottlerStorage();
  private localUntil = 0;

  /** `namespace`: one per deployment (all processes on one database share it). */
  constructor(
    url: string,
    private readonly namespace: string,
    private readonly status?: RedisStatus,
  ) {
    // No queue while disconnected and a short timeout: a request never waits on a Redis that is away.
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: COMMAND_TIMEOUT_MS });
    this.redis.defineCommand('throttleIncrement', { numberOfKeys: 2, lua: INCREMENT });
    status?.register(USER);
    // ioredis reconnects by itself; its errors are reported through the commands that fail.
    this.redis.on('error', () => undefined);
    this.redis.on('ready', () => this.status?.reached(USER));
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    // After a failure Redis is left alone for a moment: a Redis that hangs costs one request the timeout, not every one.
    if (Date.now() < this.localUntil) return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    try {
      const record = await this.shared(key, ttl, limit, blockDuration, throttlerName);
      this.status?.reached(USER);
      return record;
    } catch (error) {
      this.status?.failed(USER, error);
      this.localUntil = Date.now() + LOCAL_AFTER_FAILURE_MS;
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  private async shared(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const hitsKey = `throttle:${this.namespace}:${throttlerName}:${key}`;
    const [hits, ttlMs, blockMs] = (await (this.redis as unknown as Record<string, (...a: unknown[]) => Promise<number[]>>).throttleIncrement(
      hitsKey,
      `${hitsKey}:blocked`,
      ttl,
      limit,
      blockDuration,
    )) as [number, number, number];
    const isBlocked = blockMs > 0;
    return {
      totalHits: hits,
      timeToExpire: Math.max(0, Math.ceil(ttlMs / 1000)),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil(blockMs / 1000) : 0,
    };
  }

  async onApplicationShutdown() {
    this.local.onApplicationShutdown();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
