import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { ConversationStore, type HistoryPage } from '../conversation.store';
import { GetConversationHistory } from './get-conversation-history.query';

export type { HistoryPage };

@QueryHandler(GetConversationHistory)
export class GetConversationHistoryHandler implements IQueryHandler<GetConversationHistory> {
  constructor(private readonly store: ConversationStore) {}

  async execute({ departmentId, conversationId, viewerId, range }: GetConversationHistory): Promise<HistoryPage> {
    if (viewerId !== null) await this.store.readable(this.store.pool, departmentId, conversationId, viewerId);
    else if (!(await this.store.access(this.store.pool, departmentId, conversationId, 0))) throw DomainError.notFound(`Conversation ${conversationId} not found`);
    return this.store.history(departmentId, conversationId, range);
  }
}
