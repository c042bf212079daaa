import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { ConversationStore } from '../conversation.store';

export interface MessageVersion {
  version: number;
  body: string;
  /** When the sender replaced this text. */
  replacedAt: string;
}

/** The earlier versions of an edited message, oldest first, for whoever may read the conversation. */
/** Every version in one page (a message has few): `nextCursor` is always null, as lists end. */
export class MessageEditsQuery extends Query<{ conversationId: number; seq: number; items: MessageVersion[]; nextCursor: null }> {
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
  constructor(private readonly store: ConversationStore) {}

  async execute({ departmentId, conversationId, viewerId, seq }: MessageEditsQuery) {
    const conversation = await this.store.readable(this.store.pool, departmentId, conversationId, viewerId);
    if (seq > conversation.lastSeq) throw DomainError.notFound(`Conversation ${conversationId} has no message ${seq}`);
    return { conversationId, seq, items: await this.store.edits(departmentId, conversationId, seq), nextCursor: null };
  }
}
