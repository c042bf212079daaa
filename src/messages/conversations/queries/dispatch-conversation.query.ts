import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SqlPool } from '../../database/sql-pool';
import type { ConversationMessagePayload, ConversationSummary } from '../../realtime/socket-events';
import { ConversationStore, MESSAGE_COLUMNS, toMessage, type MessageRow } from '../conversation.store';

export interface DispatchConversationRecord {
  conversation: ConversationSummary;
  /** The whole history, oldest first. */
  messages: ConversationMessagePayload[];
}

/**
 * A dispatch's conversation and its full history, as kept with the dispatch record (no
 * membership check: the caller decides who may see the record). Null when it has none.
 */
export class DispatchConversationQuery extends Query<DispatchConversationRecord | null> {
  constructor(
    readonly departmentId: number,
    readonly dispatchId: number,
    /** Whose read position the summary shows; null for none. */
    readonly viewerId: number | null = null,
  ) {
    super();
  }
}

@QueryHandler(DispatchConversationQuery)
export class DispatchConversationHandler implements IQueryHandler<DispatchConversationQuery> {
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
  ) {}

  async execute({ departmentId, dispatchId, viewerId }: DispatchConversationQuery): Promise<DispatchConversationRecord | null> {
    const [found] = await this.sql.query<{ id: number }>('select id from conversations where department_id = $1 and dispatch_id = $2', [
      departmentId,
      dispatchId,
    ]);
    if (!found) return null;
    const [conversation, rows] = await Promise.all([
      this.store.summary(this.sql.pool, departmentId, found.id, viewerId),
      this.sql.query<MessageRow>(`select ${MESSAGE_COLUMNS} from conversation_messages where conversation_id = $1 order by seq`, [found.id]),
    ]);
    return { conversation: conversation!, messages: rows.map(toMessage) };
  }
}
