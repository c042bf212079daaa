import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { ConversationStore, SYSTEM_SENDER } from '../conversation.store';
import { ConversationMembersChanged, ConversationMessagesPosted } from '../events/conversation.events';
import { LeaveConversation } from './leave-conversation.command';

@CommandHandler(LeaveConversation)
export class LeaveConversationHandler implements ICommandHandler<LeaveConversation> {
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
    private readonly events: EventBus,
  ) {}

  async execute({ member, conversationId }: LeaveConversation) {
    const departmentId = member.departmentId;
    const outcome = await this.sql.transaction(async (tx) => {
      const conversation = await this.store.access(tx, departmentId, conversationId, member.userId, true);
      if (!conversation?.hasMembership) throw DomainError.notFound(`Conversation ${conversationId} not found`);
      if (!conversation.isMember) return null;
      await this.store.leave(tx, conversationId, member.userId);
      // A direct conversation is only hidden for the one who leaves, and an archived history is
      // closed: no announcement in either.
      if (conversation.kind === 'direct' || conversation.archived) return null;
      const messages = await this.store.append(tx, departmentId, conversationId, [
        { senderId: null, senderName: SYSTEM_SENDER, kind: 'system', body: `${member.name} left` },
      ]);
      await this.store.markActive(tx, conversationId);
      const memberIds = await this.store.currentMemberIds(tx, conversationId);
      return { messages, memberIds };
    });
    if (outcome) {
      // The leaver hears it too, so their other devices drop the conversation.
      const notify = [...outcome.memberIds, member.userId];
      this.events.publish(new ConversationMembersChanged(departmentId, conversationId, [{ userId: member.userId, change: 'left' }], notify));
      this.events.publish(new ConversationMessagesPosted(departmentId, outcome.messages.map((message) => ({ message, userIds: outcome.memberIds }))));
    }
    return { conversationId, left: true };
  }
}
