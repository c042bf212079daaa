import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { ConversationStore } from '../conversation.store';
import { GetMessageEdits } from './get-message-edits.query';

@QueryHandler(GetMessageEdits)
export class GetMessageEditsHandler implements IQueryHandler<GetMessageEdits> {
  constructor(private readonly store: ConversationStore) {}

  async execute({ departmentId, conversationId, viewerId, seq }: GetMessageEdits) {
    const conversation = await this.store.readable(this.store.pool, departmentId, conversationId, viewerId);
    if (seq > conversation.lastSeq) throw DomainError.notFound(`Conversation ${conversationId} has no message ${seq}`);
    return { conversationId, seq, items: await this.store.edits(departmentId, conversationId, seq), nextCursor: null };
  }
}
