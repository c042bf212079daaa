import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { ConversationStore } from '../conversation.store';

export interface MessageVersion {
  version: number;
  body: string;
  /** When the sender replaced this text. */
  replacedAt: string;
}

/** The earlier versions of an edited message, oldest first, for whoever may read the conversation. */
export class MessageEditsQuery extends Query<{ conversationId: number; seq: number; items: MessageVersion[] }> {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    readonly viewerId: number,
    readonly seq: number,
  ) {
    super();
  }
}

@QueryHandler(MessageEditsQuery)
export class MessageEditsHandler implements IQueryHandler<MessageEditsQuery> {
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
  ) {}

  async execute({ departmentId, conversationId, viewerId, seq }: MessageEditsQuery) {
    const conversation = await this.store.readable(this.sql.pool, departmentId, conversationId, viewerId);
    if (seq > conversation.lastSeq) throw DomainError.notFound(`Conversation ${conversationId} has no message ${seq}`);
    const rows = await this.sql.query<{ version: number; body: string; replaced_at: Date }>(
      `select version, body, replaced_at from conversation_message_edits
        where conversation_id = $1 and seq = $2 and department_id = $3 order by version`,
      [conversationId, seq, departmentId],
    );
    return { conversationId, seq, items: rows.map((r) => ({ version: r.version, body: r.body, replacedAt: r.replaced_at.toISOString() })) };
  }
}
