import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ConversationStore } from '../conversation.store';
import { GetReadReceipts } from './get-read-receipts.query';

@QueryHandler(GetReadReceipts)
export class GetReadReceiptsHandler implements IQueryHandler<GetReadReceipts> {
  constructor(private readonly store: ConversationStore) {}

  async execute({ departmentId, conversationId, viewerId }: GetReadReceipts) {
    await this.store.readable(this.store.pool, departmentId, conversationId, viewerId);
    return { conversationId, items: await this.store.receipts(departmentId, conversationId), nextCursor: null };
  }
}
