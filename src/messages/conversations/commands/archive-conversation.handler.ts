import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { ConversationStore, SYSTEM_SENDER } from '../conversation.store';
import { ConversationArchived, ConversationMessagesPosted } from '../events/conversation.events';
import { ArchiveConversation } from './archive-conversation.command';

@CommandHandler(ArchiveConversation)
export class ArchiveConversationHandler implements ICommandHandler<ArchiveConversation> {
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
    private readonly events: EventBus,
  ) {}

  async execute({ departmentId, conversationId, note }: ArchiveConversation) {
    const outcome = await this.sql.transaction(async (tx) => {
      const conversation = await this.store.access(tx, departmentId, conversationId, 0, true);
      if (!conversation) throw DomainError.notFound(`Conversation ${conversationId} not found`);
      if (conversation.archived) return null;
      const messages = await this.store.append(tx, departmentId, conversationId, [{ senderId: null, senderName: SYSTEM_SENDER, kind: 'system', body: note }]);
      await this.store.archive(tx, conversationId);
      return { messages, userIds: await this.store.readerIds(tx, conversationId) };
    });
    if (outcome) {
      this.events.publish(new ConversationMessagesPosted(departmentId, outcome.messages.map((message) => ({ message, userIds: outcome.userIds }))));
      this.events.publish(new ConversationArchived(departmentId, conversationId, outcome.userIds));
    }
    return { conversationId, archived: true };
  }
}
