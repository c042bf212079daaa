import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { ConversationStore } from '../conversation.store';
import { SetNotificationLevelCommand } from './set-notification-level.command';

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
