import { createHash } from 'node:crypto';
import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { RedisStatus } from '../../common/health/redis-status';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../messages.options';

const WINDOW_MS = 60_000;
const USER = 'socket event limits';

/**
 * Counts each user's socket events per minute (a fixed window, as the HTTP limits count), and
 * each address's handshakes. With
 * a Redis the count is shared by every process of the deployment; if Redis fails, each process
 * counts alone rather than refusing everyone.
 */
@Injectable()
export class SocketRateLimiter implements OnApplicationShutdown {
  private readonly limit: number | null;
  private readonly handshakeLimit: number | null;
  private readonly redis?: Redis;
  /** Processes on one database share their counts; another deployment on the same Redis does not. */
  private readonly namespace: string;
  private localUntil = 0;
  private readonly local = new Map<string, { window: number; count: number }>();

  constructor(
    @Inject(MESSAGES_OPTIONS) options: MessagesModuleOptions,
    // The host's; a host without one gets no report, the same fallback.
    @Optional() private readonly status?: RedisStatus,
  ) {
    this.limit = options.socketRateLimit?.eventsPerMinute ?? null;
    this.handshakeLimit = options.socketRateLimit?.handshakesPerMinute ?? null;
    this.namespace = createHash('sha256').update(options.deploymentId ?? '').digest('hex').slice(0, 12);
    if ((this.limit || this.handshakeLimit) && options.redisUrl) {
      this.redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 500 });
      status?.register(USER);
      // ioredis reconnects by itself; its errors are reported through the counts that fail.
      this.redis.on('error', () => undefined);
      this.redis.on('ready', () => this.status?.reached(USER));
    }
  }

  /** Counts one event of `userId`: null while within the limit, else the seconds until the next window. */
  take(userId: number): Promise<number | null> {
    return this.count(`socket-events:${userId}`, this.limit);
  }

  /** Counts one handshake from `address`, as `take` counts events. */
  takeHandshake(address: string): Promise<number | null> {
    return this.count(`socket-handshakes:${address}`, this.handshakeLimit);
  }

  private async count(subject: string, limit: number | null): Promise<number | null> {
    if (!limit) return null;
    const window = Math.floor(Date.now() / WINDOW_MS);
    const count = (await this.sharedCount(subject, window)) ?? this.localCount(subject, window);
    if (count <= limit) return null;
    return Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - Date.now()) / 1000));
  }

  private async sharedCount(subject: string, window: number): Promise<number | null> {
    // After a failure Redis is left alone for a moment: a Redis that hangs costs one event the timeout, not every one.
    if (!this.redis || Date.now() < this.localUntil) return null;
    const key = `${subject}:${this.namespace}:${window}`;
    try {
      const result = await this.redis.multi().incr(key).pexpire(key, WINDOW_MS * 2).exec();
      const count = result?.[0]?.[1];
      if (typeof count !== 'number') throw new Error('no count in the answer');
      this.status?.reached(USER);
      return count;
    } catch (error) {
      this.status?.failed(USER, error);
      this.localUntil = Date.now() + 2_000;
      return null;
    }
  }

  private localCount(subject: string, window: number): number {
    const entry = this.local.get(subject);
    if (entry && entry.window === window) return ++entry.count;
    if (this.local.size > 10_000) for (const [id, e] of this.local) if (e.window < window) this.local.delete(id);
    this.local.set(subject, { window, count: 1 });
    return 1;
  }

  async onApplicationShutdown() {
    this.redis?.disconnect();
  }
}
