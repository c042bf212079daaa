import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
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
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
  ) {}

  async execute({ member, conversationId, level }: SetNotificationLevelCommand) {
    await this.store.readable(this.sql.pool, member.departmentId, conversationId, member.userId);
    const rows = await this.sql.query(
      'update conversation_members set notification_level = $4 where conversation_id = $1 and user_id = $2 and department_id = $3 returning user_id',
      [conversationId, member.userId, member.departmentId, level],
    );
    if (!rows.length) throw DomainError.notFound(`Conversation ${conversationId} not found`);
    return { conversationId, level };
  }
}
