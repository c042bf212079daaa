import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { PresenceService } from '../presence/presence.service';
import { pushPayload } from './push-payload';
import { PushRepository } from './push.repository';
import { PUSH_EVENT_QUEUE, PushQueue, type PushEventJob } from './push-queue';

/** What a push notification says: little, within what a push service accepts. */
export interface OfflineNotification {
  /** `clear`: the member read or acknowledged it elsewhere; the device drops what it shows for those ids. */
  kind: 'message' | 'conversation-message' | 'invitation' | 'clear';
  title: string;
  /** Plain text or HTML; it is reduced to a short plain-text preview. */
  preview: string;
  /** Ids the client needs to open the thing: messageId, conversationId, seq. */
  ids: Record<string, number>;
  /** Urgent: sent with `Urgency: high`, shown until acted on. */
  urgent?: boolean;
  /** Set on a reminder: the how-manyth it is. */
  reminder?: number;
}

/**
 * Queues a push notification for each of `userIds` who has no live socket, inside the caller's
 * transaction, so a committed write always has its notifications queued and a rolled-back one
 * none. Two statements whatever the number of users: one records the event for the members who
 * are offline and have a device, one queues its job; the worker fans it out per device.
 */
@Injectable()
export class OfflineNotifier {
  constructor(
    private readonly queue: PushQueue,
    private readonly presence: PresenceService,
    private readonly push: PushRepository,
  ) {}

  /**
   * Returns the id of the queued event, or null when nobody needed a push. `evenWhenOnline`
   * reaches the devices of members with a live socket too (a push that clears what another
   * device still shows).
   */
  async enqueue(
    tx: PoolClient,
    departmentId: number,
    userIds: readonly number[],
    notification: OfflineNotification,
    { evenWhenOnline = false } = {},
  ): Promise<number | null> {
    if (!this.queue.enabled || userIds.length === 0) return null;
    const payload = pushPayload(notification, this.queue.config.content);
    const eventId = await this.push.recordEvent(tx, departmentId, payload.kind, payload, userIds, this.presence.staleAfterSeconds, evenWhenOnline);
    if (eventId === null) return null;
    await this.queue.send(tx, PUSH_EVENT_QUEUE, { eventId } satisfies PushEventJob);
    return eventId;
  }
}
