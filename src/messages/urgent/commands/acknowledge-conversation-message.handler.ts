import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import type { ConversationAcknowledgedResult } from '../../realtime/socket-events';
import { ConversationDeliveryChanged } from '../urgent.events';
import { UrgentRepository } from '../urgent.repository';
import { AcknowledgeConversationMessage } from './acknowledge-conversation-message.command';

/** A member acknowledges an urgent conversation message; idempotent, the first time stands. */
@CommandHandler(AcknowledgeConversationMessage)
export class AcknowledgeConversationMessageHandler implements ICommandHandler<AcknowledgeConversationMessage, ConversationAcknowledgedResult> {
  constructor(
    private readonly urgent: UrgentRepository,
    private readonly events: EventBus,
  ) {}

  async execute({ departmentId, userId, conversationId, seq }: AcknowledgeConversationMessage): Promise<ConversationAcknowledgedResult> {
    const row = await this.urgent.acknowledgeConversationMessage(departmentId, userId, conversationId, seq);
    // Not a member, not urgent, one's own message, or another department's: nothing to acknowledge.
    if (!row) throw DomainError.notFound(`Conversation ${conversationId} has no urgent message ${seq} for you to acknowledge`);
    const at = row.acknowledged_at.toISOString();
    if (row.fresh) {
      this.events.publish(new ConversationDeliveryChanged(departmentId, row.sender_id, { conversationId, seq, userId, state: 'acknowledged', at }));
    }
    return { conversationId, seq, acknowledgedAt: at };
  }
}
