import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import type { Affected } from '../dto/mail-views';
import { DeleteOutboxMessages } from './delete-outbox-messages.command';

/** Soft delete of the sender's copy: the message row stays for its recipients. */
@CommandHandler(DeleteOutboxMessages)
export class DeleteOutboxMessagesHandler implements ICommandHandler<DeleteOutboxMessages, Affected> {
  constructor(private readonly sql: SqlPool) {}

  async execute({ caller, messageIds, single }: DeleteOutboxMessages): Promise<Affected> {
    const rows = await this.sql.query(
      `update mail_messages set sender_deleted_at = now(), sender_deleted_by = $1
        where sender_id = $1 and department_id = $2 and id = any($3::int[]) and sender_deleted_at is null
        returning id`,
      [caller.userId, caller.departmentId, messageIds],
    );
    if (single && rows.length === 0) throw DomainError.notFound(`Message ${messageIds[0]} is not in your outbox`);
    return { affected: rows.length };
  }
}
