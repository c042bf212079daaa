import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { UnreadChanged } from '../../events/mail.events';
import type { Affected } from '../dto/mail-views';
import { MailRepository } from '../mail.repository';
import { UnreadStateRepository } from '../unread/unread-state.repository';
import { UnreadVersions } from '../unread/unread-versions';
import { DeleteInboxMessages } from './delete-inbox-messages.command';

/** Soft delete; a removed unread copy leaves the unread state in the same transaction. */
@CommandHandler(DeleteInboxMessages)
export class DeleteInboxMessagesHandler implements ICommandHandler<DeleteInboxMessages, Affected> {
  constructor(
    private readonly sql: SqlPool,
    private readonly mail: MailRepository,
    private readonly unread: UnreadStateRepository,
    private readonly versions: UnreadVersions,
    private readonly events: EventBus,
  ) {}

  async execute({ caller, messageIds, single }: DeleteInboxMessages): Promise<Affected> {
    const { rows, change } = await this.sql.transaction(async (tx) => {
      await this.unread.lock(tx, [caller.userId]);
      const rows = await this.mail.deleteFromInbox(tx, caller.userId, caller.departmentId, messageIds);
      const cleared = rows.filter((r) => r.was_unread).map(() => caller.userId);
      return { rows, change: await this.unread.removed(tx, caller.departmentId, cleared) };
    });
    if (single && rows.length === 0) throw DomainError.notFound(`Message ${messageIds[0]} is not in your inbox`);
    if (change) {
      this.versions.apply(change);
      this.events.publish(new UnreadChanged(caller.departmentId, [caller.userId]));
    }
    return { affected: rows.length };
  }
}
