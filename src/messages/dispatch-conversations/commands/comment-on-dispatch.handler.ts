import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { PostMessage } from '../../conversations/commands/post-message.command';
import { PostMessageHandler } from '../../conversations/commands/post-message.handler';
import type { ConversationMessagePayload } from '../../realtime/socket-events';
import { DispatchRecords } from '../dispatch-records';
import { CommentOnDispatch } from './comment-on-dispatch.command';

@CommandHandler(CommentOnDispatch)
export class CommentOnDispatchHandler implements ICommandHandler<CommentOnDispatch> {
  constructor(
    private readonly records: DispatchRecords,
    // Composed by injection: a handler never calls back through the bus.
    private readonly post: PostMessageHandler,
  ) {}

  async execute({ author, dispatchId, body, clientId }: CommentOnDispatch): Promise<ConversationMessagePayload> {
    const record = await this.records.find(author.departmentId, dispatchId);
    if (!record) throw DomainError.notFound(`Dispatch ${dispatchId} not found`);
    if (record.status === 'closed') throw DomainError.conflict(`Dispatch ${record.number} is closed; its conversation is read-only`);
    if (!record.withConversation) {
      throw DomainError.conflict(`Dispatch ${record.number} has no conversation: it was opened while the messages module was off`);
    }
    if (record.conversationId === null) throw DomainError.conflict(`Dispatch ${record.number}'s conversation is being opened; try again in a moment`);
    return this.post.execute(new PostMessage({ author, conversationId: record.conversationId, body, clientId, joinByWriting: true }));
  }
}
