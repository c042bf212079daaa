import { Command } from '@nestjs/cqrs';

/**
 * Whether these members keep reading the conversation after they leave (the dispatch rule:
 * true while their task is open, false once it is cleared). Resolves to the rows changed.
 */
export class SetReadsAfterLeaving extends Command<{ affected: number }> {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    readonly userIds: readonly number[],
    readonly readsAfterLeaving: boolean,
  ) {
    super();
  }
}
