import { Injectable } from '@nestjs/common';
import { UnreadStateRepository } from '../mail/unread/unread-state.repository';

/**
 * Each user's count of unread department messages, for the `unread:count` socket event: read
 * from the per-user unread state, for many users in one statement.
 */
@Injectable()
export class UnreadCounter {
  constructor(private readonly state: UnreadStateRepository) {}

  countFor(departmentId: number, userIds: readonly number[]): Promise<Map<number, number>> {
    return this.state.counts(departmentId, userIds);
  }
}
