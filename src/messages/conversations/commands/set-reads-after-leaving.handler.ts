import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ConversationStore } from '../conversation.store';
import { SetReadsAfterLeaving } from './set-reads-after-leaving.command';

@CommandHandler(SetReadsAfterLeaving)
export class SetReadsAfterLeavingHandler implements ICommandHandler<SetReadsAfterLeaving> {
  constructor(private readonly store: ConversationStore) {}

  async execute({ departmentId, conversationId, userIds, readsAfterLeaving }: SetReadsAfterLeaving) {
    return { affected: await this.store.setReadsAfterLeaving(departmentId, conversationId, userIds, readsAfterLeaving) };
  }
}
