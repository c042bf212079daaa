import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ConversationStore } from '../conversation.store';
import { SetReadsAfterLeavingCommand } from './set-reads-after-leaving.command';

@CommandHandler(SetReadsAfterLeavingCommand)
export class SetReadsAfterLeavingHandler implements ICommandHandler<SetReadsAfterLeavingCommand> {
  constructor(private readonly store: ConversationStore) {}

  async execute({ departmentId, conversationId, userIds, readsAfterLeaving }: SetReadsAfterLeavingCommand) {
    return { affected: await this.store.setReadsAfterLeaving(departmentId, conversationId, userIds, readsAfterLeaving) };
  }
}
