import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { DepartmentDirectory } from '../../directory/department-directory';
import { iso } from '../../mail/mail.mapper';
import { PresenceService } from '../../presence/presence.service';
import type { Priority, ResponseCode } from '../../realtime/socket-events';
import type { RecipientDeliveryPage, RecipientDeliveryState } from '../dto/delivery-views';
import type { RecipientState } from '../dto/urgent.dto';
import { deliverySummary, stateSql } from './delivery-record';

/** The sender's page of a message's recipients, with each one's delivery state. */
export class GetMessageRecipients extends Query<RecipientDeliveryPage> {
  constructor(
    readonly caller: Principal,
    readonly messageId: number,
    readonly state: RecipientState,
    readonly limit: number,
    readonly cursor: string | undefined,
  ) {
    super();
  }
}

const FILTERS: Record<RecipientState, string> = {
  all: 'true',
  unacknowledged: 'r.acknowledged_at is null',
  unread: 'r.read_at is null',
  unreachable: `x.state = 'unreachable'`,
};

interface Row {
  user_id: number;
  state: RecipientDeliveryState;
  socket_at: Date | null;
  push_at: Date | null;
  email_at: Date | null;
  read_at: Date | null;
  acknowledged_at: Date | null;
  response: ResponseCode | null;
}

@QueryHandler(GetMessageRecipients)
export class GetMessageRecipientsHandler implements IQueryHandler<GetMessageRecipients, RecipientDeliveryPage> {
  constructor(
    private readonly sql: SqlPool,
    private readonly presence: PresenceService,
    private readonly directory: DepartmentDirectory,
  ) {}

  async execute({ caller, messageId, state, limit, cursor }: GetMessageRecipients): Promise<RecipientDeliveryPage> {
    const [message] = await this.sql.query<{ priority: Priority }>(
      'select priority from mail_messages where id = $1 and department_id = $2 and sender_id = $3 and sender_deleted_at is null',
      [messageId, caller.departmentId, caller.userId],
    );
    // Only the sender sees who got it; to anyone else the message does not exist.
    if (!message) throw DomainError.notFound(`Message ${messageId} not found`);
    const after = cursor && /^\d{1,10}$/.test(cursor) ? Number(cursor) : 0;
    const stale = this.presence.staleAfterSeconds;
    const rows = await this.sql.query<Row>(
      `select r.user_id, x.state, r.socket_at, r.push_at, r.email_at, r.read_at, r.acknowledged_at, r.response
         from mail_recipients r cross join lateral (select ${stateSql('$5')} as state) x
        where r.message_id = $1 and r.department_id = $2 and r.user_id > $3 and ${FILTERS[state]}
        order by r.user_id limit $4`,
      [messageId, caller.departmentId, after, limit + 1, stale],
    );
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const members = await this.directory.members(caller.departmentId, page.map((r) => r.user_id));
    const names = new Map(members.map((m) => [m.id, m.name]));
    return {
      messageId,
      priority: message.priority,
      summary: await deliverySummary(this.sql, stale, caller.departmentId, messageId),
      items: page.map((r) => ({
        userId: r.user_id,
        name: names.get(r.user_id) ?? null,
        state: r.state,
        channels: { socket: iso(r.socket_at), push: iso(r.push_at), email: iso(r.email_at) },
        readAt: iso(r.read_at),
        acknowledgedAt: iso(r.acknowledged_at),
        response: r.response,
      })),
      nextCursor: more ? String(page[page.length - 1].user_id) : null,
    };
  }
}
