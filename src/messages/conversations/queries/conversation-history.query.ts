import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { ConversationStore, type HistoryPage } from '../conversation.store';

export type { HistoryPage };

/**
 * Messages by `seq`: `after` gives the next ones (a reconnecting client's catch-up), `before`
 * the ones just before (scrolling back), neither the latest. A null viewer reads the record.
 * Reading marks nothing read: that is `MarkConversationReadCommand`'s.
 */
export class ConversationHistoryQuery extends Query<HistoryPage> {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    readonly viewerId: number | null,
    readonly range: { after?: number; before?: number; limit: number },
  ) {
    super();
  }
}

@QueryHandler(ConversationHistoryQuery)
export class ConversationHistoryHandler implements IQueryHandler<ConversationHistoryQuery> {
  constructor(private readonly store: ConversationStore) {}

  async execute({ departmentId, conversationId, viewerId, range }: ConversationHistoryQuery): Promise<HistoryPage> {
    if (viewerId !== null) await this.store.readable(this.store.pool, departmentId, conversationId, viewerId);
    else if (!(await this.store.access(this.store.pool, departmentId, conversationId, 0))) throw DomainError.notFound(`Conversation ${conversationId} not found`);
    return this.store.history(departmentId, conversationId, range);
  }
}
