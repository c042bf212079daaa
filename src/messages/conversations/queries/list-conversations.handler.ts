import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ConversationStore } from '../conversation.store';
import { ListConversations } from './list-conversations.query';

@QueryHandler(ListConversations)
export class ListConversationsHandler implements IQueryHandler<ListConversations> {
  constructor(private readonly store: ConversationStore) {}

  execute({ departmentId, userId, page }: ListConversations) {
    return this.store.listFor(departmentId, userId, page);
  }
}
