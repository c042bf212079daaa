import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SqlPool } from '../../database/sql-pool';
import type { ConversationReadResult } from '../../realtime/socket-events';
import { ConversationStore } from '../conversation.store';

/** Everything up to `seq` is read (the position only moves forward, and not past the last message). */
export class MarkConversationReadCommand extends Command<ConversationReadResult> {
  constructor(
    readonly departmentId: number,
    readonly userId: number,
    readonly conversationId: number,
    readonly seq: number,
  ) {
    super();
  }
}

@CommandHandler(MarkConversationReadCommand)
export class MarkConversationReadHandler implements ICommandHandler<MarkConversationReadCommand> {
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
  ) {}

  async execute({ departmentId, userId, conversationId, seq }: MarkConversationReadCommand): Promise<ConversationReadResult> {
    const conversation = await this.store.readable(this.sql.pool, departmentId, conversationId, userId);
    const [row] = await this.sql.query<{ last_read_seq: number; last_seq: number }>(
      `update conversation_members m set last_read_seq = greatest(m.last_read_seq, least($3, c.last_seq))
         from conversations c
        where c.id = m.conversation_id and m.conversation_id = $1 and m.user_id = $2
        returning m.last_read_seq, c.last_seq`,
      [conversation.id, userId, seq],
    );
    return { conversationId, seq: row.last_read_seq, unreadCount: Math.max(0, row.last_seq - row.last_read_seq) };
  }
}
