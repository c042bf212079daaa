import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import type { Affected } from '../dto/mail-views';
import { MailRepository } from '../mail.repository';
import { UnreadClearing } from '../unread/unread-clearing';
import { DeleteInboxMessages } from './delete-inbox-messages.command';

/** Soft delete; a removed unread copy leaves the unread state in the same transaction. */
@CommandHandler(DeleteInboxMessages)
export class DeleteInboxMessagesHandler implements ICommandHandler<DeleteInboxMessages, Affected> {
  constructor(
    private readonly mail: MailRepository,
    private readonly clearing: UnreadClearing,
  ) {}

  async execute({ caller, messageIds, single }: DeleteInboxMessages): Promise<Affected> {
    const rows = await this.clearing.run(caller.departmentId, caller.userId, async (tx) => {
      const rows = await this.mail.deleteFromInbox(tx, caller.userId, caller.departmentId, messageIds);
      return { result: rows, cleared: rows.filter((r) => r.was_unread).length };
    });
    if (single && rows.length === 0) throw DomainError.notFound(`Message ${messageIds[0]} is not in your inbox`);
    return { affected: rows.length };
  }
}
