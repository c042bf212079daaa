import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import type { Affected } from '../dto/mail-views';
import { MailRepository } from '../mail.repository';
import { DeleteOutboxMessages } from './delete-outbox-messages.command';

/** Soft delete of the sender's copy: the message row stays for its recipients. */
@CommandHandler(DeleteOutboxMessages)
export class DeleteOutboxMessagesHandler implements ICommandHandler<DeleteOutboxMessages, Affected> {
  constructor(private readonly mail: MailRepository) {}

  async execute({ caller, messageIds, single }: DeleteOutboxMessages): Promise<Affected> {
    const affected = await this.mail.deleteFromOutbox(caller.userId, caller.departmentId, messageIds);
    if (single && affected === 0) throw DomainError.notFound(`Message ${messageIds[0]} is not in your outbox`);
    return { affected };
  }
}
