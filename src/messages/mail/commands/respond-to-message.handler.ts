import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { MessageResponded } from '../../events/message-responded.event';
import { MailDeliveryChanged, MailSeen } from '../../urgent/urgent.events';
import type { ResponseResult } from '../dto/mail-views';
import { MailRepository } from '../mail.repository';
import { UnreadClearing } from '../unread/unread-clearing';
import { RespondToMessage } from './respond-to-message.command';

/**
 * Records a recipient's answer; the last one stands. Answering reads and acknowledges the message. An expired
 * message, or one the recipient deleted, takes no answer.
 */
@CommandHandler(RespondToMessage)
export class RespondToMessageHandler implements ICommandHandler<RespondToMessage, ResponseResult> {
  constructor(
    private readonly mail: MailRepository,
    private readonly clearing: UnreadClearing,
    private readonly events: EventBus,
  ) {}

  async execute({ caller, messageId, response, note }: RespondToMessage): Promise<ResponseResult> {
    const row = await this.clearing.run(caller.departmentId, caller.userId, async (tx) => {
      const row = await this.mail.respond(tx, messageId, caller.userId, caller.departmentId, response, note);
      return { result: row, cleared: row?.was_unread ? 1 : 0 };
    });
    if (!row) throw await this.whyNot(caller.userId, caller.departmentId, messageId);
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
    const found = await this.mail.respondRefusal(messageId, userId, departmentId);
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
