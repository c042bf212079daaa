import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { ConversationStore } from '../conversation.store';
import { SetNotificationLevel } from './set-notification-level.command';

@CommandHandler(SetNotificationLevel)
export class SetNotificationLevelHandler implements ICommandHandler<SetNotificationLevel> {
  constructor(
    private readonly store: ConversationStore,
  ) {}

  async execute({ member, conversationId, level }: SetNotificationLevel) {
    await this.store.readable(this.store.pool, member.departmentId, conversationId, member.userId);
    if (!(await this.store.setNotificationLevel(member.departmentId, conversationId, member.userId, level))) throw DomainError.notFound(`Conversation ${conversationId} not found`);
    return { conversationId, level };
  }
}
