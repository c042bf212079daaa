import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SqlPool } from '../../database/sql-pool';
import type { ConversationReceiptPayload } from '../../realtime/socket-events';
import { ConversationStore } from '../conversation.store';

/** Each current member's read position (the last `seq` they have read), for whoever may read the conversation. */
export class ReadReceiptsQuery extends Query<{ conversationId: number; items: Omit<ConversationReceiptPayload, 'conversationId'>[] }> {
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
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
  ) {}

  async execute({ departmentId, conversationId, viewerId }: ReadReceiptsQuery) {
    await this.store.readable(this.sql.pool, departmentId, conversationId, viewerId);
    const rows = await this.sql.query<{ user_id: number; last_read_seq: number }>(
      `select user_id, last_read_seq from conversation_members
        where conversation_id = $1 and department_id = $2 and left_at is null order by user_id`,
      [conversationId, departmentId],
    );
    return { conversationId, items: rows.map((r) => ({ userId: r.user_id, seq: r.last_read_seq })) };
  }
}
