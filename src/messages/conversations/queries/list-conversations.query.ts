import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { ConversationSummary } from '../../realtime/socket-events';
import { ConversationStore } from '../conversation.store';

/** The caller's open conversations, most recently active first, each with its unread count and last message. */
export class ListConversationsQuery extends Query<ConversationSummary[]> {
  constructor(
    readonly departmentId: number,
    readonly userId: number,
    readonly limit: number,
  ) {
    super();
  }
}

@QueryHandler(ListConversationsQuery)
export class ListConversationsHandler implements IQueryHandler<ListConversationsQuery> {
  constructor(private readonly store: ConversationStore) {}

  execute({ departmentId, userId, limit }: ListConversationsQuery) {
    return this.store.listFor(departmentId, userId, limit);
  }
}
