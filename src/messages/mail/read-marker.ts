import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { Principal } from '../../common/access';
import { MailDeliveryChanged, MailSeen } from '../urgent/urgent.events';
import { MailRepository } from './mail.repository';
import { UnreadClearing } from './unread/unread-clearing';

/**
 * Marks the caller's unread copies read and moves their unread state in the same transaction;
 * ids not in the caller's inbox are skipped. Shared by the batch mark-read and by viewing a message.
 */
@Injectable()
export class ReadMarker {
  constructor(
    private readonly mail: MailRepository,
    private readonly clearing: UnreadClearing,
    private readonly events: EventBus,
  ) {}

  /** The copies marked read, with their read time. */
  async markRead(caller: Principal, messageIds: readonly number[]): Promise<{ messageId: number; readAt: Date }[]> {
    const rows = await this.clearing.run(caller.departmentId, caller.userId, async (tx) => {
      const rows = await this.mail.markRead(tx, caller.userId, caller.departmentId, messageIds);
      return { result: rows, cleared: rows.length };
    });
    if (!rows.length) return [];
    for (const r of rows) {
      this.events.publish(
        new MailDeliveryChanged(caller.departmentId, r.sender_id, { messageId: r.message_id, userId: caller.userId, state: 'read', at: r.read_at.toISOString() }),
      );
    }
    // The notifications still shown on the member's other devices go.
    const pushed = rows.filter((r) => r.pushed).map((r) => r.message_id);
    if (pushed.length) this.events.publish(new MailSeen(caller.departmentId, caller.userId, pushed));
    return rows.map((r) => ({ messageId: r.message_id, readAt: r.read_at }));
  }
}
