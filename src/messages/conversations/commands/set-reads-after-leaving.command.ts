import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ConversationStore } from '../conversation.store';

/**
 * Whether these members keep reading the conversation after they leave (the dispatch rule:
 * true while their task is open, false once it is cleared). Resolves to the rows changed.
 */
export class SetReadsAfterLeavingCommand extends Command<{ affected: number }> {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    readonly userIds: readonly number[],
    readonly readsAfterLeaving: boolean,
  ) {
    super();
  }
}

@CommandHandler(SetReadsAfterLeavingCommand)
export class SetReadsAfterLeavingHandler implements ICommandHandler<SetReadsAfterLeavingCommand> {
  constructor(private readonly store: ConversationStore) {}

  async execute({ departmentId, conversationId, userIds, readsAfterLeaving }: SetReadsAfterLeavingCommand) {
    return { affected: await this.store.setReadsAfterLeaving(departmentId, conversationId, userIds, readsAfterLeaving) };
  }
}
