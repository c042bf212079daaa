import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

interface Window {
  hits: number;
  /** When the window's count starts again (ms since the epoch). */
  resetAt: number;
  /** Blocked until then, once over the limit (0: not blocked). */
  blockedUntil: number;
}

/** How often windows that ended are forgotten. */
const SWEEP_EVERY_MS = 60_000;

/**
 * The limits' counts in this process, in fixed windows, as the Redis storage counts them for all
 * processes: a count and an end per key, and one timer for all. (The throttler's own memory
 * storage keeps a timer per request and scans them all as each one fires: at a few hundred
 * requests a second its bookkeeping alone takes the process's time.)
 */
export class MemoryThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_EVERY_MS).unref();

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    return this.count(`${throttlerName}:${key}`, ttl, limit, blockDuration, Date.now());
  }

  /** One hit at `now`: counted even while blocked, as in Redis. */
  count(key: string, ttl: number, limit: number, blockDuration: number, now: number): ThrottlerStorageRecord {
    let window = this.windows.get(key);
    if (!window) {
      window = { hits: 0, resetAt: now + ttl, blockedUntil: 0 };
      this.windows.set(key, window);
    } else if (window.resetAt <= now) {
      window.hits = 0;
      window.resetAt = now + ttl;
    }
    window.hits++;
    if (window.blockedUntil <= now && window.hits > limit) window.blockedUntil = now + blockDuration;
    const isBlocked = window.blockedUntil > now;
    return {
      totalHits: window.hits,
      timeToExpire: Math.ceil((window.resetAt - now) / 1000),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil((window.blockedUntil - now) / 1000) : 0,
    };
  }

  /** Forgets the windows that ended, and blocks that ran out, by `now`. */
  sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now && window.blockedUntil <= now) this.windows.delete(key);
  }

  /** Keys with a window still counted (for tests). */
  get size(): number {
    return this.windows.size;
  }

  onApplicationShutdown() {
    clearInterval(this.sweeper);
  }
}
