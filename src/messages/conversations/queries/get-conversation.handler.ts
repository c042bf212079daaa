import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { ConversationStore } from '../conversation.store';
import { GetConversation } from './get-conversation.query';

@QueryHandler(GetConversation)
export class GetConversationHandler implements IQueryHandler<GetConversation> {
  constructor(private readonly store: ConversationStore) {}

  async execute({ departmentId, conversationId, viewerId }: GetConversation) {
    if (viewerId !== null) await this.store.readable(this.store.pool, departmentId, conversationId, viewerId);
    const summary = await this.store.summary(this.store.pool, departmentId, conversationId, viewerId);
    if (!summary) throw DomainError.notFound(`Conversation ${conversationId} not found`);
    return summary;
  }
}
