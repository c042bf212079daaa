import { Query } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import type { InboxItem, Page } from '../dto/mail-views';
import { MAIL_SQL } from '../mail.repository';

/** For the benchmark's bare handler. */
export const INBOX_SQL = MAIL_SQL.inbox;

export class GetInbox extends Query<Page<InboxItem>> {
  constructor(
    readonly caller: Principal,
    readonly limit: number,
    readonly cursor: string | undefined,
    readonly unreadOnly: boolean,
  ) {
    super();
  }
}
