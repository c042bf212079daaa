import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ConversationStore } from '../conversation.store';
import { ReadReceiptsQuery } from './read-receipts.query';

@QueryHandler(ReadReceiptsQuery)
export class ReadReceiptsHandler implements IQueryHandler<ReadReceiptsQuery> {
  constructor(private readonly store: ConversationStore) {}

  async execute({ departmentId, conversationId, viewerId }: ReadReceiptsQuery) {
    await this.store.readable(this.store.pool, departmentId, conversationId, viewerId);
    return { conversationId, items: await this.store.receipts(departmentId, conversationId), nextCursor: null };
  }
}
