import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import type { ConversationSummary } from '../../realtime/socket-events';
import { ConversationStore } from '../conversation.store';

/** One conversation as `viewerId` sees it; a null viewer reads it as the record (no membership check). */
export class GetConversationQuery extends Query<ConversationSummary> {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    readonly viewerId: number | null,
  ) {
    super();
  }
}

@QueryHandler(GetConversationQuery)
export class GetConversationHandler implements IQueryHandler<GetConversationQuery> {
  constructor(private readonly store: ConversationStore) {}

  async execute({ departmentId, conversationId, viewerId }: GetConversationQuery) {
    if (viewerId !== null) await this.store.readable(this.store.pool, departmentId, conversationId, viewerId);
    const summary = await this.store.summary(this.store.pool, departmentId, conversationId, viewerId);
    if (!summary) throw DomainError.notFound(`Conversation ${conversationId} not found`);
    return summary;
  }
}
