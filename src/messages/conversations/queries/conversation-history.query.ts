import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import type { ConversationMessagePayload } from '../../realtime/socket-events';
import { ConversationStore, MESSAGE_COLUMNS, toMessage, type MessageRow } from '../conversation.store';

export interface HistoryPage {
  /** In `seq` order, oldest first. */
  items: ConversationMessagePayload[];
  /** More messages lie beyond this page in the direction asked (after `after`, or before the page). */
  hasMore: boolean;
}

/**
 * Messages by `seq`: `after` gives the next ones (a reconnecting client's catch-up), `before`
 * the ones just before (scrolling back), neither the latest. A null viewer reads the record.
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
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
  ) {}

  async execute({ departmentId, conversationId, viewerId, range }: ConversationHistoryQuery): Promise<HistoryPage> {
    if (viewerId !== null) await this.store.readable(this.sql.pool, departmentId, conversationId, viewerId);
    else if (!(await this.store.access(this.sql.pool, departmentId, conversationId, 0))) throw DomainError.notFound(`Conversation ${conversationId} not found`);
    const { after, before, limit } = range;
    // One more than asked tells whether there is more.
    const ascending = after !== undefined;
    const rows = await this.sql.query<MessageRow>(
      `select ${MESSAGE_COLUMNS} from conversation_messages
        where conversation_id = $1 and department_id = $2
          and seq > coalesce($3::int, 0) and seq < coalesce($4::int, 2147483647)
        order by seq ${ascending ? 'asc' : 'desc'} limit $5`,
      [conversationId, departmentId, after ?? null, before ?? null, limit + 1],
    );
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit).map(toMessage);
    if (!ascending) page.reverse();
    return { items: page, hasMore };
  }
}
