import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ConversationStore } from '../conversation.store';
import { ListConversationsQuery } from './list-conversations.query';

@QueryHandler(ListConversationsQuery)
export class ListConversationsHandler implements IQueryHandler<ListConversationsQuery> {
  constructor(private readonly store: ConversationStore) {}

  execute({ departmentId, userId, page }: ListConversationsQuery) {
    return this.store.listFor(departmentId, userId, page);
  }
}
