import { Injectable } from '@nestjs/common';
import { SqlPool } from '../database/sql-pool';
import { TALLY_COLUMNS, type TallyRow } from '../mail/mail.mapper';
import { PresenceService } from '../presence/presence.service';
import type { Priority, ResponseCode } from '../realtime/socket-events';
import type { DeliverySummary, RecipientDeliveryState } from '../urgent/dto/delivery-views';
import type { RecipientState } from '../urgent/dto/urgent.dto';

/** SQL: the recipient row `x` has a way to reach them now: a live socket or a push device. `$stale` is the presence window. */
const reachable = (stale: string) =>
  `(${PresenceService.onlineCondition('x.user_id', stale)}
    or exists (select 1 from push_subscriptions s where s.department_id = x.department_id and s.user_id = x.user_id))`;

/**
 * SQL: `reachable`, for every row of a message in department `department` at once. One
 * uncorrelated set of user ids, hashed once per statement, where `reachable` probes two indexes
 * per row: its cost follows the live sockets of every department and this department's devices,
 * not the message. Neither user_id column is nullable, so `in` answers as `exists` does.
 */
const inReachableSet = (department: string, stale: string) =>
  `(x.user_id in (${PresenceService.onlineUserIds(stale)}
      union all select s.user_id from push_subscriptions s where s.department_id = ${department}))`;

/**
 * Up to this many recipients the summary probes each row (about a microsecond a row); above it,
 * it hashes the set of reachable ids, which wins by far for a message to thousands and would
 * cost a small message more than its rows do. The counts are the same either way.
 */
export const PROBE_REACHABLE_UP_TO = 1_000;

const REACHED = 'x.socket_at is not null or x.push_at is not null or x.email_at is not null or x.read_at is not null';

/** Each recipient row's delivery state, as one SQL expression. */
const STATE = (stale: string) => `case
  when x.acknowledged_at is not null then 'acknowledged'
  when x.read_at is not null then 'read'
  when ${REACHED} then 'reached'
  when ${reachable(stale)} then 'pending'
  else 'unreachable' end`;

const FILTERS: Record<RecipientState, string> = {
  all: 'true',
  unacknowledged: 'x.acknowledged_at is null',
  unread: 'x.read_at is null',
  unreachable: `d.state = 'unreachable'`,
};

const deliveryPage = (state: RecipientState) => `
  select x.user_id, d.state, x.socket_at, x.push_at, x.email_at, x.read_at, x.acknowledged_at, x.response
    from mail_recipients x cross join lateral (select ${STATE('$5')} as state) d
   where x.message_id = $1 and x.department_id = $2 and x.user_id > $3 and ${FILTERS[state]}
   order by x.user_id
   limit $4`;

/** Tallies and delivery counts, over the rows of message `$1` in department `$2`; `$3` is the presence window. */
const summaryStatement = (reachableTest: string) => `
  select ${TALLY_COLUMNS},
         count(*)::int as recipients,
         count(*) filter (where ${REACHED})::int as reached,
         count(x.acknowledged_at)::int as acknowledged,
         count(*) filter (where not (${REACHED}) and not ${reachableTest})::int as unreachable
    from mail_recipients x where x.message_id = $1 and x.department_id = $2`;

/** Every statement over a sent message's recipient rows (`x`), by name; the SQL snapshot test prints each one. */
export const RECIPIENTS_SQL = {
  /** The message, if the caller sent it and still has it. */
  sentBy: `select priority, recipient_count from mail_messages
   where id = $1 and department_id = $2 and sender_id = $3 and sender_deleted_at is null`,

  /** Tallies and delivery counts of one message, in one aggregate over its recipient rows. */
  summary: summaryStatement(reachable('$3')),
  /** `summary` of a message to more than PROBE_REACHABLE_UP_TO. */
  summaryOfMany: summaryStatement(inReachableSet('$2', '$3')),

  /** A page of recipients with their read and response status, by user id. */
  statuses: `
  select x.user_id, x.read_at, x.response, x.response_note, x.responded_at
    from mail_recipients x where x.message_id = $1 and x.department_id = $2 and x.user_id > $3
   order by x.user_id
   limit $4`,

  deliveryAll: deliveryPage('all'),
  deliveryUnacknowledged: deliveryPage('unacknowledged'),
  deliveryUnread: deliveryPage('unread'),
  deliveryUnreachable: deliveryPage('unreachable'),
};

const DELIVERY_BY_STATE: Record<RecipientState, string> = {
  all: RECIPIENTS_SQL.deliveryAll,
  unacknowledged: RECIPIENTS_SQL.deliveryUnacknowledged,
  unread: RECIPIENTS_SQL.deliveryUnread,
  unreachable: RECIPIENTS_SQL.deliveryUnreachable,
};

export type RecipientsSummaryRow = TallyRow & Omit<DeliverySummary, 'read'>;

export interface SentMessageRow {
  priority: Priority;
  recipient_count: number;
}

export interface RecipientStatusRow {
  user_id: number;
  read_at: Date | null;
  response: ResponseCode | null;
  response_note: string | null;
  responded_at: Date | null;
}

export interface RecipientDeliveryRow {
  user_id: number;
  state: RecipientDeliveryState;
  socket_at: Date | null;
  push_at: Date | null;
  email_at: Date | null;
  read_at: Date | null;
  acknowledged_at: Date | null;
  response: ResponseCode | null;
}

/** Who received a sent message and how far it got with each of them. */
@Injectable()
export class RecipientsRepository {
  constructor(
    private readonly sql: SqlPool,
    private readonly presence: PresenceService,
  ) {}

  async sentBy(messageId: number, departmentId: number, senderId: number): Promise<SentMessageRow | undefined> {
    const [row] = await this.sql.query<SentMessageRow>(RECIPIENTS_SQL.sentBy, [messageId, departmentId, senderId], 'mail_sent_by');
    return row;
  }

  /** `recipientCount`, the message's, picks the statement (see PROBE_REACHABLE_UP_TO). */
  async summary(messageId: number, departmentId: number, recipientCount: number): Promise<RecipientsSummaryRow> {
    const many = recipientCount > PROBE_REACHABLE_UP_TO;
    const [row] = await this.sql.query<RecipientsSummaryRow>(
      many ? RECIPIENTS_SQL.summaryOfMany : RECIPIENTS_SQL.summary,
      [messageId, departmentId, this.presence.staleAfterSeconds],
      many ? 'mail_recipients_summary_of_many' : 'mail_recipients_summary',
    );
    return row;
  }

  statuses(messageId: number, departmentId: number, after: number, limit: number): Promise<RecipientStatusRow[]> {
    return this.sql.query<RecipientStatusRow>(RECIPIENTS_SQL.statuses, [messageId, departmentId, after, limit], 'mail_recipient_statuses');
  }

  delivery(messageId: number, departmentId: number, state: RecipientState, after: number, limit: number): Promise<RecipientDeliveryRow[]> {
    return this.sql.query<RecipientDeliveryRow>(
      DELIVERY_BY_STATE[state],
      [messageId, departmentId, after, limit, this.presence.staleAfterSeconds],
      `mail_recipients_delivery_${state}`,
    );
  }
}

/** The delivery counts the sender sees, from the one summary aggregate. */
export const toDeliverySummary = (row: RecipientsSummaryRow): DeliverySummary => ({
  recipients: row.recipients,
  reached: row.reached,
  read: row.read_count,
  acknowledged: row.acknowledged,
  unreachable: row.unreachable,
});
