import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import type { ConversationAcknowledgedResult } from '../../realtime/socket-events';
import { ConversationDeliveryChanged } from '../urgent.events';
import { AcknowledgeConversationMessage } from './acknowledge-conversation-message.command';

/** A member acknowledges an urgent conversation message; idempotent, the first time stands. */
@CommandHandler(AcknowledgeConversationMessage)
export class AcknowledgeConversationMessageHandler implements ICommandHandler<AcknowledgeConversationMessage, ConversationAcknowledgedResult> {
  constructor(
    private readonly sql: SqlPool,
    private readonly events: EventBus,
  ) {}

  async execute({ departmentId, userId, conversationId, seq }: AcknowledgeConversationMessage): Promise<ConversationAcknowledgedResult> {
    const [row] = await this.sql.query<{ acknowledged_at: Date; fresh: boolean; sender_id: number }>(
      `update conversation_message_acks a set acknowledged_at = coalesce(a.acknowledged_at, now())
         from conversation_message_acks before, conversation_messages m
        where before.conversation_id = a.conversation_id and before.seq = a.seq and before.user_id = a.user_id
          and m.conversation_id = a.conversation_id and m.seq = a.seq
          and a.conversation_id = $1 and a.seq = $2 and a.user_id = $3 and a.department_id = $4
        returning a.acknowledged_at, before.acknowledged_at is null as fresh, m.sender_id`,
      [conversationId, seq, userId, departmentId],
    );
    // Not a member, not urgent, one's own message, or another department's: nothing to acknowledge.
    if (!row) throw DomainError.notFound(`Conversation ${conversationId} has no urgent message ${seq} for you to acknowledge`);
    const at = row.acknowledged_at.toISOString();
    if (row.fresh) {
      this.events.publish(new ConversationDeliveryChanged(departmentId, row.sender_id, { conversationId, seq, userId, state: 'acknowledged', at }));
    }
    return { conversationId, seq, acknowledgedAt: at };
  }
}
