import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { releaseAttachments } from '../../attachments/attachment-links';
import { SqlPool } from '../../database/sql-pool';
import type { ConversationMessagePayload } from '../../realtime/socket-events';
import { PushRepository } from '../../push/push.repository';
import { ConversationStore } from '../conversation.store';
import { ConversationMessageChanged } from '../events/conversation.events';
import { lockOwnMessage } from './own-message';
import { RetractMessage } from './retract-message.command';

@CommandHandler(RetractMessage)
export class RetractMessageHandler implements ICommandHandler<RetractMessage> {
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
    private readonly push: PushRepository,
    private readonly events: EventBus,
  ) {}

  async execute({ author, conversationId, seq }: RetractMessage): Promise<ConversationMessagePayload> {
    const outcome = await this.sql.transaction(async (tx) => {
      const { message, memberIds } = await lockOwnMessage(tx, this.store, author, conversationId, seq);
      // Retracting twice changes nothing more.
      if (message.retractedAt) return { message, memberIds, changed: false };
      const retracted = await this.store.retract(tx, author.departmentId, conversationId, seq);
      await releaseAttachments(tx, conversationId, seq);
      // Its pushes not yet sent are withdrawn (a delivery whose event is gone is skipped); one a
      // device already shows stays there: Web Push cannot take a notification back.
      await this.push.withdrawPending(tx, author.departmentId, { conversationId, seq });
      return { message: { ...retracted, attachments: [] }, memberIds, changed: true };
    });
    if (outcome.changed) this.events.publish(new ConversationMessageChanged(author.departmentId, 'retracted', outcome.message, outcome.memberIds));
    return outcome.message;
  }
}
