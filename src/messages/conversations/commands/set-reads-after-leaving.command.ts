import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SqlPool } from '../../database/sql-pool';

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
  constructor(private readonly sql: SqlPool) {}

  async execute({ departmentId, conversationId, userIds, readsAfterLeaving }: SetReadsAfterLeavingCommand) {
    const rows = await this.sql.query(
      `update conversation_members set reads_after_leaving = $4
        where conversation_id = $1 and department_id = $2 and user_id = any($3::int[]) and reads_after_leaving <> $4
        returning user_id`,
      [conversationId, departmentId, [...userIds], readsAfterLeaving],
    );
    return { affected: rows.length };
  }
}
