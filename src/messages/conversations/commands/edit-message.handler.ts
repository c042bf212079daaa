import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import type { ConversationMessagePayload } from '../../realtime/socket-events';
import { ConversationStore, plainText } from '../conversation.store';
import { ConversationMessageChanged } from '../events/conversation.events';
import { EditMessage } from './edit-message.command';
import { lockOwnMessage } from './own-message';

@CommandHandler(EditMessage)
export class EditMessageHandler implements ICommandHandler<EditMessage> {
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
    private readonly events: EventBus,
  ) {}

  async execute({ author, conversationId, seq, body: text }: EditMessage): Promise<ConversationMessagePayload> {
    const body = plainText(text);
    const outcome = await this.sql.transaction(async (tx) => {
      const { message, memberIds } = await lockOwnMessage(tx, this.store, author, conversationId, seq);
      if (message.retractedAt) throw DomainError.conflict(`Message ${seq} was retracted and can no longer be edited`);
      if (message.body === body) return { message, memberIds, changed: false };
      const edited = await this.store.edit(tx, author.departmentId, conversationId, seq, body, message.body);
      return { message: edited, memberIds, changed: true };
    });
    if (outcome.changed) this.events.publish(new ConversationMessageChanged(author.departmentId, 'edited', outcome.message, outcome.memberIds));
    return outcome.message;
  }
}
