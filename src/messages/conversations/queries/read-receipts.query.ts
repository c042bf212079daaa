import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { ConversationReceiptPayload } from '../../realtime/socket-events';
import { ConversationStore } from '../conversation.store';

/** Each current member's read position (the last `seq` they have read), for whoever may read the conversation. */
/** The members fit one page (a conversation has at most a few hundred): `nextCursor` is always null, as lists end. */
export class ReadReceiptsQuery extends Query<{ conversationId: number; items: Omit<ConversationReceiptPayload, 'conversationId'>[]; nextCursor: null }> {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    readonly viewerId: number,
  ) {
    super();
  }
}

@QueryHandler(ReadReceiptsQuery)
export class ReadReceiptsHandler implements IQueryHandler<ReadReceiptsQuery> {
  constructor(private readonly store: ConversationStore) {}

  async execute({ departmentId, conversationId, viewerId }: ReadReceiptsQuery) {
    await this.store.readable(this.store.pool, departmentId, conversationId, viewerId);
    return { conversationId, items: await this.store.receipts(departmentId, conversationId), nextCursor: null };
  }
}
