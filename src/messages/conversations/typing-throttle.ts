import { Injectable } from '@nestjs/common';

/** A client sends typing on every key press; one relay per member and conversation per interval is enough. */
export const TYPING_RELAY_INTERVAL_MS = 2_000;

/** When each (member, conversation) was last relayed, in this process's memory only. */
@Injectable()
export class TypingThrottle {
  private readonly last = new Map<string, number>();

  /** True when this signal should be relayed, and counts it. */
  take(userId: number, conversationId: number, now = Date.now()): boolean {
    const key = `${userId}:${conversationId}`;
    const previous = this.last.get(key);
    if (previous !== undefined && now - previous < TYPING_RELAY_INTERVAL_MS) return false;
    this.last.set(key, now);
    // Forget what is too old to matter, so the map stays as small as the people typing right now.
    if (this.last.size > 10_000) for (const [k, at] of this.last) if (now - at >= TYPING_RELAY_INTERVAL_MS) this.last.delete(k);
    return true;
  }
}
