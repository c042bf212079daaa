import { Logger } from '@nestjs/common';

/**
 * Whether the server's users of Redis reach it. Redis only carries what processes share (rate
 * limit counts, socket events for other processes' sockets), so losing it degrades the server
 * rather than stopping it: each user falls back to this process alone and reports here. One
 * warning is logged per outage, and one line when every user reaches Redis again; health shows it.
 * The host creates one per application; the messages module reaches it through `common`.
 */
export class RedisStatus {
  private readonly logger = new Logger('Redis');
  /** Users of Redis that cannot reach it now, with what they last heard. */
  private readonly failing = new Map<string, string>();
  private readonly users = new Set<string>();

  /** `user` depends on Redis: health reports on it from now on. */
  register(user: string): void {
    this.users.add(user);
  }

  get configured(): boolean {
    return this.users.size > 0;
  }

  /** `user` could not reach Redis and carries on without it. */
  failed(user: string, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    if (this.failing.size === 0) {
      this.logger.warn(
        `Redis is unavailable (${reason || 'no answer'}): rate limits are counted in each process and socket events reach only the sockets of the process that sends them, until it is back`,
      );
    }
    this.failing.set(user, reason);
  }

  /** `user` reached Redis again. */
  reached(user: string): void {
    if (!this.failing.delete(user) || this.failing.size > 0) return;
    this.logger.log('Redis is reachable again: rate limits and socket events are shared by every process once more');
  }

  /** The users that cannot reach Redis now, with the reason each last heard; empty while all is well. */
  problems(): Record<string, string> {
    return Object.fromEntries(this.failing);
  }
}
