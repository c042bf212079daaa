import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { UnreadChanged } from '../../events/mail.events';
import { MessageResponded } from '../../events/message-responded.event';
import { MailDeliveryChanged, MailSeen } from '../../urgent/urgent.events';
import type { ResponseResult } from '../dto/mail-views';
import { RespondToMessage } from './respond-to-message.command';

/**
 * Records a recipient's answer; the last one stands. Answering reads and acknowledges the message. An expired
 * message, or one the recipient deleted, takes no answer.
 */
@CommandHandler(RespondToMessage)
export class RespondToMessageHandler implements ICommandHandler<RespondToMessage, ResponseResult> {
  constructor(
    private readonly sql: SqlPool,
    private readonly events: EventBus,
  ) {}

  async execute({ caller, messageId, response, note }: RespondToMessage): Promise<ResponseResult> {
    // `before` is the row as it was, so the statement also tells whether it was unread.
    // A coded response is an acknowledgement too.
    const [row] = await this.sql.query<{ responded_at: Date; was_unread: boolean; acknowledged_now: boolean; sender_id: number }>(
      `update mail_recipients r
          set response = $4, response_note = $5, responded_at = now(), read_at = coalesce(r.read_at, now()),
              acknowledged_at = coalesce(r.acknowledged_at, now())
         from mail_recipients before, mail_messages m
        where before.message_id = r.message_id and before.user_id = r.user_id and m.id = r.message_id
          and r.message_id = $1 and r.user_id = $2 and r.department_id = $3
          and r.deleted_at is null and (r.expires_at is null or r.expires_at > now())
        returning r.responded_at, before.read_at is null as was_unread, before.acknowledged_at is null as acknowledged_now, m.sender_id`,
      [messageId, caller.userId, caller.departmentId, response, note],
    );
    if (!row) throw await this.whyNot(caller.userId, caller.departmentId, messageId);
    if (row.was_unread) this.events.publish(new UnreadChanged(caller.departmentId, [caller.userId]));
    if (row.acknowledged_now) {
      const at = row.responded_at.toISOString();
      const delivery = { messageId, userId: caller.userId, at };
      if (row.was_unread) this.events.publish(new MailDeliveryChanged(caller.departmentId, row.sender_id, { ...delivery, state: 'read' }));
      this.events.publish(new MailDeliveryChanged(caller.departmentId, row.sender_id, { ...delivery, state: 'acknowledged' }));
      this.events.publish(new MailSeen(caller.departmentId, caller.userId, [messageId]));
    }
    this.events.publish(new MessageResponded(caller.departmentId, row.sender_id, { messageId, userId: caller.userId, response, respondedAt: row.responded_at.toISOString() }));
    return { messageId, response, note, respondedAt: row.responded_at.toISOString() };
  }

  private async whyNot(userId: number, departmentId: number, messageId: number): Promise<DomainError> {
    const [found] = await this.sql.query<{ sender_id: number; sender_deleted_at: Date | null; recipient: boolean; deleted_at: Date | null; expires_at: Date | null }>(
      `select m.sender_id, m.sender_deleted_at, r.user_id is not null as recipient, r.deleted_at, m.expires_at
         from mail_messages m left join mail_recipients r on r.message_id = m.id and r.user_id = $2
        where m.id = $1 and m.department_id = $3`,
      [messageId, userId, departmentId],
    );
    const notFound = DomainError.notFound(`Message ${messageId} not found`);
    if (!found) return notFound;
    if (found.recipient && !found.deleted_at && found.expires_at) {
      return DomainError.conflict(`Message ${messageId} expired at ${found.expires_at.toISOString()}; it can no longer be answered`);
    }
    if (!found.recipient && found.sender_id === userId && !found.sender_deleted_at) {
      return DomainError.forbidden(`Only the recipients of message ${messageId} may respond to it; you sent it`);
    }
    return notFound;
  }
}
