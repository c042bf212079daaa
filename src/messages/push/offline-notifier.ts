import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';

/** What a push notification says: little, within what a push service accepts. */
export interface OfflineNotification {
  kind: 'message' | 'conversation-message' | 'invitation';
  title: string;
  preview: string;
  /** Ids the client needs to open the thing: messageId, conversationId, seq. */
  ids: Record<string, number>;
}

/**
 * Queues a push notification for each of `userIds` who has no live socket, inside the caller's
 * transaction, so a committed write always has its notifications queued. Set-based: one
 * statement whatever the number of users. (Placeholder until push delivery lands.)
 */
@Injectable()
export class OfflineNotifier {
  async enqueue(
    _tx: PoolClient,
    _departmentId: number,
    _userIds: readonly number[],
    _notification: OfflineNotification,
  ): Promise<void> {}
}
