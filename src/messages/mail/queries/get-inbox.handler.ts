import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { toPage } from '../cursor';
import type { InboxItem, Page } from '../dto/mail-views';
import { toInboxItem } from '../mail.mapper';
import { MailRepository } from '../mail.repository';
import { GetInbox } from './get-inbox.query';

/** Newest first, by keyset on the message id (the inbox index is `(user_id, message_id desc)`). */
@QueryHandler(GetInbox)
export class GetInboxHandler implements IQueryHandler<GetInbox, Page<InboxItem>> {
  constructor(private readonly mail: MailRepository) {}

  async execute({ caller, limit, cursor, unreadOnly }: GetInbox): Promise<Page<InboxItem>> {
    const rows = await this.mail.inbox(caller.userId, caller.departmentId, unreadOnly, cursor, limit + 1);
    return toPage(rows, limit, toInboxItem);
  }
}
