import { Injectable } from '@nestjs/common';

/**
 * Each user's count of unread department messages (unread, not deleted, not expired), for the
 * `unread:count` socket event. Asked for many users at once: one query, never one per user.
 * (Placeholder until the mail feature's tables exist: no mail, nothing unread.)
 */
@Injectable()
export class UnreadCounter {
  async countFor(_departmentId: number, userIds: readonly number[]): Promise<Map<number, number>> {
    return new Map(userIds.map((id) => [id, 0]));
  }
}
