import { Command, CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { SqlPool } from '../../database/sql-pool';
import type { ConversationReadResult } from '../../realtime/socket-events';
import { ConversationStore, unreadCountSql } from '../conversation.store';
import { ConversationReadMoved } from '../events/conversation.events';

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
    private readonly events: EventBus,
  ) {}

  async execute({ departmentId, userId, conversationId, seq }: MarkConversationReadCommand): Promise<ConversationReadResult> {
    const conversation = await this.store.readable(this.sql.pool, departmentId, conversationId, userId);
    const [row] = await this.sql.query<{ last_read_seq: number; before: number; unread_count: number; member: boolean }>(
      `with position as (
         select m.last_read_seq as before from conversation_members m where m.conversation_id = $1 and m.user_id = $2 for update
       )
       update conversation_members m set last_read_seq = greatest(m.last_read_seq, least($3, c.last_seq))
         from conversations c, position p
        where c.id = m.conversation_id and m.conversation_id = $1 and m.user_id = $2
        returning m.last_read_seq, p.before, m.left_at is null as member, ${unreadCountSql('c', 'm.last_read_seq')} as unread_count`,
      [conversation.id, userId, seq],
    );
    // Receipts are for the members: one who moved forward is shown to the others.
    if (row.last_read_seq > row.before && row.member) {
      const others = (await this.store.currentMemberIds(this.sql.pool, conversationId)).filter((id) => id !== userId);
      if (others.length) this.events.publish(new ConversationReadMoved(departmentId, conversationId, userId, row.last_read_seq, others));
    }
    return { conversationId, seq: row.last_read_seq, unreadCount: row.unread_count };
  }
}
