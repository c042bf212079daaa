import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { SqlPool } from '../../database/sql-pool';
import { UnreadChanged } from '../../events/mail.events';
import type { Affected } from '../dto/mail-views';
import { MarkMessagesRead } from './mark-messages-read.command';

@CommandHandler(MarkMessagesRead)
export class MarkMessagesReadHandler implements ICommandHandler<MarkMessagesRead, Affected> {
  constructor(
    private readonly sql: SqlPool,
    private readonly events: EventBus,
  ) {}

  async execute({ caller, messageIds }: MarkMessagesRead): Promise<Affected> {
    const rows = await this.sql.query(
      `update mail_recipients set read_at = now()
        where user_id = $1 and department_id = $2 and message_id = any($3::int[])
          and read_at is null and deleted_at is null and (expires_at is null or expires_at > now())
        returning message_id`,
      [caller.userId, caller.departmentId, messageIds],
    );
    if (rows.length) this.events.publish(new UnreadChanged(caller.departmentId, [caller.userId]));
    return { affected: rows.length };
  }
}
