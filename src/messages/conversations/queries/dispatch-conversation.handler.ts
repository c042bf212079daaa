import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ConversationStore } from '../conversation.store';
import { DispatchConversationRecord, DispatchConversationQuery, readDispatchConversation } from './dispatch-conversation.query';

@QueryHandler(DispatchConversationQuery)
export class DispatchConversationHandler implements IQueryHandler<DispatchConversationQuery> {
  constructor(private readonly store: ConversationStore) {}

  execute(query: DispatchConversationQuery): Promise<DispatchConversationRecord | null> {
    return readDispatchConversation(this.store, query);
  }
}
