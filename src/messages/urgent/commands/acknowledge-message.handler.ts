import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { MailRepository } from '../../mail/mail.repository';
import { UnreadClearing } from '../../mail/unread/unread-clearing';
import type { AcknowledgedResult } from '../../realtime/socket-events';
import { MailDeliveryChanged, MailSeen } from '../urgent.events';
import { AcknowledgeMessage } from './acknowledge-message.command';

/**
 * A recipient acknowledges a message (which reads it too). Idempotent: the first
 * acknowledgement's time stands and only it tells the sender. Reminders stop because each
 * reminder step picks only those who have not acknowledged. A recipient who removed the message
 * from their inbox may still acknowledge it (from the emailed link, say): it is proof of receipt.
 */
@CommandHandler(AcknowledgeMessage)
export class AcknowledgeMessageHandler implements ICommandHandler<AcknowledgeMessage, AcknowledgedResult> {
  constructor(
    private readonly mail: MailRepository,
    private readonly clearing: UnreadClearing,
    private readonly events: EventBus,
  ) {}

  async execute({ departmentId, userId, messageId }: AcknowledgeMessage): Promise<AcknowledgedResult> {
    const row = await this.clearing.run(departmentId, userId, async (tx) => {
      const row = await this.mail.acknowledge(tx, messageId, userId, departmentId);
      return { result: row, cleared: row?.was_unread ? 1 : 0 };
    });
    if (!row) throw await this.whyNot(departmentId, userId, messageId);
    if (row.fresh) {
      const at = row.acknowledged_at.toISOString();
      if (row.was_unread) this.events.publish(new MailDeliveryChanged(departmentId, row.sender_id, { messageId, userId, state: 'read', at }));
      this.events.publish(new MailDeliveryChanged(departmentId, row.sender_id, { messageId, userId, state: 'acknowledged', at }));
      this.events.publish(new MailSeen(departmentId, userId, [messageId]));
    }
    return { messageId, acknowledgedAt: row.acknowledged_at.toISOString() };
  }

  private async whyNot(departmentId: number, userId: number, messageId: number): Promise<DomainError> {
    const found = await this.mail.acknowledgeRefusal(messageId, departmentId);
    if (found && found.sender_id === userId && !found.sender_deleted_at) {
      return DomainError.forbidden(`Only the recipients of message ${messageId} acknowledge it; you sent it`);
    }
    return DomainError.notFound(`Message ${messageId} not found`);
  }
}
