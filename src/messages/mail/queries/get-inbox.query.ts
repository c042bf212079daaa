import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import { SqlPool } from '../../database/sql-pool';
import { cursorId, toPage } from '../cursor';
import type { InboxItem, Page } from '../dto/mail-views';
import { INBOX_COLUMNS, toInboxItem, type InboxRow } from '../mail.mapper';

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

const inboxSql = (unreadOnly: boolean) => `
  select ${INBOX_COLUMNS}
    from mail_recipients r join mail_messages m on m.id = r.message_id
   where r.user_id = $1 and r.department_id = $2 and r.deleted_at is null
     and (r.expires_at is null or r.expires_at > now())
     ${unreadOnly ? 'and r.read_at is null' : ''}
     and r.message_id < $3
   order by r.message_id desc
   limit $4`;
export const INBOX_SQL = inboxSql(false);
export const INBOX_UNREAD_SQL = inboxSql(true);

/** Newest first, by keyset on the message id (the inbox index is `(user_id, message_id desc)`). */
@QueryHandler(GetInbox)
export class GetInboxHandler implements IQueryHandler<GetInbox, Page<InboxItem>> {
  constructor(private readonly sql: SqlPool) {}

  async execute({ caller, limit, cursor, unreadOnly }: GetInbox): Promise<Page<InboxItem>> {
    const rows = await this.sql.query<InboxRow>(
      unreadOnly ? INBOX_UNREAD_SQL : INBOX_SQL,
      [caller.userId, caller.departmentId, cursorId(cursor), limit + 1],
      unreadOnly ? 'mail_inbox_unread' : 'mail_inbox',
    );
    return toPage(rows, limit, toInboxItem);
  }
}
