import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import Redis from 'ioredis';

// One round trip: count the hit, start the window on the first one, block when over the limit.
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

/** Counts requests in Redis, so every server process shares one limit per user. */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: Redis;

  /** `namespace`: one per deployment (all processes on one database share it). */
  constructor(
    url: string,
    private readonly namespace: string,
  ) {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    this.redis.defineCommand('throttleIncrement', { numberOfKeys: 2, lua: INCREMENT });
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
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
    await this.redis.quit().catch(() => undefined);
  }
}
