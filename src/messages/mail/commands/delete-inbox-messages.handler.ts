import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { UnreadChanged } from '../../events/mail.events';
import type { Affected } from '../dto/mail-views';
import { DeleteInboxMessages } from './delete-inbox-messages.command';

/** Soft delete: the row keeps who removed it and when. */
@CommandHandler(DeleteInboxMessages)
export class DeleteInboxMessagesHandler implements ICommandHandler<DeleteInboxMessages, Affected> {
  constructor(
    private readonly sql: SqlPool,
    private readonly events: EventBus,
  ) {}

  async execute({ caller, messageIds, single }: DeleteInboxMessages): Promise<Affected> {
    const rows = await this.sql.query<{ was_unread: boolean }>(
      `update mail_recipients set deleted_at = now(), deleted_by = $1
        where user_id = $1 and department_id = $2 and message_id = any($3::int[]) and deleted_at is null
        returning read_at is null and (expires_at is null or expires_at > now()) as was_unread`,
      [caller.userId, caller.departmentId, messageIds],
    );
    if (single && rows.length === 0) throw DomainError.notFound(`Message ${messageIds[0]} is not in your inbox`);
    if (rows.some((r) => r.was_unread)) this.events.publish(new UnreadChanged(caller.departmentId, [caller.userId]));
    return { affected: rows.length };
  }
}
