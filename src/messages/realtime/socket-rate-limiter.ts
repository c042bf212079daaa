import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../messages.options';

const WINDOW_MS = 60_000;

/**
 * Counts each user's socket events per minute (a fixed window, as the HTTP limits count), and
 * each address's handshakes. With
 * a Redis the count is shared by every process of the deployment; if Redis fails, each process
 * counts alone rather than refusing everyone.
 */
@Injectable()
export class SocketRateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger('SocketRateLimiter');
  private readonly limit: number | null;
  private readonly handshakeLimit: number | null;
  private readonly redis?: Redis;
  /** Processes on one database share their counts; another deployment on the same Redis does not. */
  private readonly namespace: string;
  private readonly local = new Map<string, { window: number; count: number }>();

  constructor(@Inject(MESSAGES_OPTIONS) options: MessagesModuleOptions) {
    this.limit = options.socketRateLimit?.eventsPerMinute ?? null;
    this.handshakeLimit = options.socketRateLimit?.handshakesPerMinute ?? null;
    this.namespace = createHash('sha256').update(options.databaseUrl).digest('hex').slice(0, 12);
    if ((this.limit || this.handshakeLimit) && options.redisUrl) {
      this.redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
      this.redis.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}; counting in this process`));
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
    if (!this.redis) return null;
    const key = `${subject}:${this.namespace}:${window}`;
    try {
      const result = await this.redis.multi().incr(key).pexpire(key, WINDOW_MS * 2).exec();
      const count = result?.[0]?.[1];
      return typeof count === 'number' ? count : null;
    } catch {
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
