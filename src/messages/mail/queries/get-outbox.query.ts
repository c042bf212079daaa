import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import { SqlPool } from '../../database/sql-pool';
import { cursorId, toPage } from '../cursor';
import type { OutboxItem, Page } from '../dto/mail-views';
import { TALLY_COLUMNS, toOutboxItem, type OutboxRow } from '../mail.mapper';

export class GetOutbox extends Query<Page<OutboxItem>> {
  constructor(
    readonly caller: Principal,
    readonly limit: number,
    readonly cursor: string | undefined,
  ) {
    super();
  }
}

// The tallies are counted for the page's messages only, after the limit.
const OUTBOX = `
  select m.id, m.subject, m.type, m.created_at, m.expires_at, m.recipient_count, t.*
    from mail_messages m
    cross join lateral (select ${TALLY_COLUMNS} from mail_recipients x where x.message_id = m.id) t
   where m.sender_id = $1 and m.department_id = $2 and m.sender_deleted_at is null and m.id < $3
   order by m.id desc
   limit $4`;

@QueryHandler(GetOutbox)
export class GetOutboxHandler implements IQueryHandler<GetOutbox, Page<OutboxItem>> {
  constructor(private readonly sql: SqlPool) {}

  async execute({ caller, limit, cursor }: GetOutbox): Promise<Page<OutboxItem>> {
    const rows = await this.sql.query<OutboxRow>(OUTBOX, [caller.userId, caller.departmentId, cursorId(cursor), limit + 1], 'mail_outbox');
    return toPage(rows, limit, toOutboxItem);
  }
}
