import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { UnreadChanged } from '../../events/mail.events';
import { MailRepository } from '../../mail/mail.repository';
import { UnreadStateRepository } from '../../mail/unread/unread-state.repository';
import { UnreadVersions } from '../../mail/unread/unread-versions';
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
    private readonly sql: SqlPool,
    private readonly mail: MailRepository,
    private readonly unread: UnreadStateRepository,
    private readonly versions: UnreadVersions,
    private readonly events: EventBus,
  ) {}

  async execute({ departmentId, userId, messageId }: AcknowledgeMessage): Promise<AcknowledgedResult> {
    const { row, change } = await this.sql.transaction(async (tx) => {
      await this.unread.lock(tx, [userId]);
      const row = await this.mail.acknowledge(tx, messageId, userId, departmentId);
      return { row, change: row?.was_unread ? await this.unread.removed(tx, departmentId, [userId]) : null };
    });
    if (!row) throw await this.whyNot(departmentId, userId, messageId);
    this.versions.apply(change);
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
    const found = await this.mail.acknowledgeRefusal(messageId, departmentId);
    if (found && found.sender_id === userId && !found.sender_deleted_at) {
      return DomainError.forbidden(`Only the recipients of message ${messageId} acknowledge it; you sent it`);
    }
    return DomainError.notFound(`Message ${messageId} not found`);
  }
}
