import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import type { NotificationLevel } from '../../realtime/socket-events';
import { ConversationStore, type Actor } from '../conversation.store';

/** The member chooses which messages of the conversation push a notification to their devices. */
export class SetNotificationLevelCommand extends Command<{ conversationId: number; level: NotificationLevel }> {
  constructor(
    readonly member: Actor,
    readonly conversationId: number,
    readonly level: NotificationLevel,
  ) {
    super();
  }
}

@CommandHandler(SetNotificationLevelCommand)
export class SetNotificationLevelHandler implements ICommandHandler<SetNotificationLevelCommand> {
  constructor(
    private readonly store: ConversationStore,
  ) {}

  async execute({ member, conversationId, level }: SetNotificationLevelCommand) {
    await this.store.readable(this.store.pool, member.departmentId, conversationId, member.userId);
    if (!(await this.store.setNotificationLevel(member.departmentId, conversationId, member.userId, level))) throw DomainError.notFound(`Conversation ${conversationId} not found`);
    return { conversationId, level };
  }
}
