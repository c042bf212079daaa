import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import type { ConversationReadResult } from '../../realtime/socket-events';
import { ConversationStore } from '../conversation.store';
import { ConversationReadMoved } from '../events/conversation.events';
import { MarkConversationRead } from './mark-conversation-read.command';

@CommandHandler(MarkConversationRead)
export class MarkConversationReadHandler implements ICommandHandler<MarkConversationRead> {
  constructor(
    private readonly store: ConversationStore,
    private readonly events: EventBus,
  ) {}

  async execute({ departmentId, userId, conversationId, seq }: MarkConversationRead): Promise<ConversationReadResult> {
    const conversation = await this.store.readable(this.store.pool, departmentId, conversationId, userId);
    const row = await this.store.markRead(conversation.id, userId, seq);
    // Receipts are for the members: one who moved forward is shown to the others.
    if (row.last_read_seq > row.before && row.member) {
      const others = (await this.store.currentMemberIds(this.store.pool, conversationId)).filter((id) => id !== userId);
      if (others.length) this.events.publish(new ConversationReadMoved(departmentId, conversationId, userId, row.last_read_seq, others));
    }
    return { conversationId, seq: row.last_read_seq, unreadCount: row.unread_count };
  }
}
