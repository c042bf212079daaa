import { Command, CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { UnreadChanged } from '../../events/mail.events';
import type { AcknowledgedResult } from '../../realtime/socket-events';
import { MailDeliveryChanged, MailSeen } from '../urgent.events';

export class AcknowledgeMessage extends Command<AcknowledgedResult> {
  constructor(
    readonly departmentId: number,
    readonly userId: number,
    readonly messageId: number,
  ) {
    super();
  }
}

/**
 * A recipient acknowledges a message (which reads it too). Idempotent: the first
 * acknowledgement's time stands and only it tells the sender. Reminders stop because each
 * reminder step picks only those who have not acknowledged. A recipient who removed the message
 * from their inbox may still acknowledge it (from the emailed link, say): it is proof of receipt.
 */
@CommandHandler(AcknowledgeMessage)
export class AcknowledgeMessageHandler implements ICommandHandler<AcknowledgeMessage, AcknowledgedResult> {
  constructor(
    private readonly sql: SqlPool,
    private readonly events: EventBus,
  ) {}

  async execute({ departmentId, userId, messageId }: AcknowledgeMessage): Promise<AcknowledgedResult> {
    // `before` is the row as it was, so one statement also tells what changed.
    const [row] = await this.sql.query<{ acknowledged_at: Date; fresh: boolean; was_unread: boolean; sender_id: number }>(
      `update mail_recipients r
          set acknowledged_at = coalesce(r.acknowledged_at, now()), read_at = coalesce(r.read_at, now())
         from mail_recipients before, mail_messages m
        where before.message_id = r.message_id and before.user_id = r.user_id and m.id = r.message_id
          and r.message_id = $1 and r.user_id = $2 and r.department_id = $3
        returning r.acknowledged_at, before.acknowledged_at is null as fresh, before.read_at is null as was_unread, m.sender_id`,
      [messageId, userId, departmentId],
    );
    if (!row) throw await this.whyNot(departmentId, userId, messageId);
    if (row.fresh) {
      const at = row.acknowledged_at.toISOString();
      if (row.was_unread) {
        this.events.publish(new UnreadChanged(departmentId, [userId]));
        this.events.publish(new MailDeliveryChanged(departmentId, row.sender_id, { messageId, userId, state: 'read', at }));
      }
      this.events.publish(new MailDeliveryChanged(departmentId, row.sender_id, { messageId, userId, state: 'acknowledged', at }));
      this.events.publish(new MailSeen(departmentId, userId, [messageId]));
    }
    return { messageId, acknowledgedAt: row.acknowledged_at.toISOString() };
  }

  private async whyNot(departmentId: number, userId: number, messageId: number): Promise<DomainError> {
    const [found] = await this.sql.query<{ sender_id: number; sender_deleted_at: Date | null }>(
      'select sender_id, sender_deleted_at from mail_messages where id = $1 and department_id = $2',
      [messageId, departmentId],
    );
    if (found && found.sender_id === userId && !found.sender_deleted_at) {
      return DomainError.forbidden(`Only the recipients of message ${messageId} acknowledge it; you sent it`);
    }
    return DomainError.notFound(`Message ${messageId} not found`);
  }
}
