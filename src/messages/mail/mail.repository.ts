import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { attachmentsJsonSql } from '../attachments/attachment.mapper';
import { SqlPool } from '../database/sql-pool';
import type { AttachmentView, MessageType, Priority, ResponseCode } from '../realtime/socket-events';
import { cursorId } from './cursor';
import { INBOX_COLUMNS, TALLY_COLUMNS, type InboxRow, type OutboxRow } from './mail.mapper';

const NOT_EXPIRED = `(r.expires_at is null or r.expires_at > now())`;
/** A copy the caller still has: not removed from their inbox, not expired. */
export const VISIBLE = `r.deleted_at is null and ${NOT_EXPIRED}`;

/**
 * "Unread" is the copy's `unread` flag: set by the send, cleared once by whichever comes first
 * of reading, answering, acknowledging, removing and the expiry job. Each clearing statement
 * returns the copies it cleared (`before.unread`), which the per-user state then subtracts.
 * Those statements run after `UnreadStateRepository.lock`, so `before` is current.
 */
/**
 * The caller still has message `message`: they sent it and kept it, or they received it and
 * have not removed their copy; `copy` may hold the received copy to more (search: not expired).
 */
export const keptByCaller = (message: string, user: string, copy = 'r.deleted_at is null') =>
  `((${message}.sender_id = ${user} and ${message}.sender_deleted_at is null)
            or exists (select 1 from mail_recipients r
                        where r.message_id = ${message}.id and r.user_id = ${user} and ${copy}))`;

const CLEARS = `from mail_recipients before, mail_messages m
        where before.message_id = r.message_id and before.user_id = r.user_id and m.id = r.message_id`;

const inbox = (unreadOnly: boolean) => `
  select ${INBOX_COLUMNS}
    from mail_recipients r join mail_messages m on m.id = r.message_id
   where r.user_id = $1 and r.department_id = $2 and ${VISIBLE}${unreadOnly ? ' and r.unread' : ''}
     and r.message_id < $3
   order by r.message_id desc
   limit $4`;

/** Every statement of department mail, by name; the SQL snapshot test prints each one. */
export const MAIL_SQL = {
  inbox: inbox(false),
  inboxUnread: inbox(true),

  /** The newest unread copies, from the partial unread index. */
  topUnread: `
  select ${INBOX_COLUMNS}
    from mail_recipients r join mail_messages m on m.id = r.message_id
   where r.user_id = $1 and r.department_id = $2 and r.unread and ${NOT_EXPIRED}
   order by r.message_id desc
   limit $3`,

  /** The tallies are counted for the page's messages only, after the limit. */
  outbox: `
  select m.id, m.subject, m.type, m.created_at, m.expires_at, m.recipient_count, t.*
    from mail_messages m
    cross join lateral (select ${TALLY_COLUMNS} from mail_recipients x where x.message_id = m.id) t
   where m.sender_id = $1 and m.department_id = $2 and m.sender_deleted_at is null and m.id < $3
   order by m.id desc
   limit $4`,

  /** One message with the caller's own copy, if any. */
  message: `
  select m.id, m.subject, m.body, m.sender_id, m.sender_name, m.type, m.created_at, m.expires_at,
         m.recipient_count, m.sender_deleted_at, r.user_id is not null as is_recipient,
         r.deleted_at, r.read_at, coalesce(r.unread, false) as unread, r.response, r.response_note, m.priority, r.acknowledged_at,
         ${attachmentsJsonSql('a.mail_message_id = m.id')} as attachments
    from mail_messages m left join mail_recipients r on r.message_id = m.id and r.user_id = $2
   where m.id = $1 and m.department_id = $3`,

  markRead: `
  update mail_recipients r set read_at = now(), unread = false
    ${CLEARS}
     and r.user_id = $1 and r.department_id = $2 and r.message_id = any($3::int[])
     and r.unread and ${NOT_EXPIRED}
  returning r.message_id, m.sender_id, r.read_at, r.push_at is not null as pushed`,

  /** The last answer stands; answering reads and acknowledges. Not once expired or removed. */
  respond: `
  update mail_recipients r
     set response = $4, response_note = $5, responded_at = now(), read_at = coalesce(r.read_at, now()),
         acknowledged_at = coalesce(r.acknowledged_at, now()), unread = false
    ${CLEARS}
     and r.message_id = $1 and r.user_id = $2 and r.department_id = $3 and ${VISIBLE}
  returning r.responded_at, before.unread as was_unread, before.acknowledged_at is null as acknowledged_now, m.sender_id`,

  /** Why an answer was refused. */
  respondRefusal: `
  select m.sender_id, m.sender_deleted_at, r.user_id is not null as recipient, r.deleted_at, m.expires_at
    from mail_messages m left join mail_recipients r on r.message_id = m.id and r.user_id = $2
   where m.id = $1 and m.department_id = $3`,

  /** Idempotent: the first acknowledgement's time stands. Allowed after removal (proof of receipt). */
  acknowledge: `
  update mail_recipients r
     set acknowledged_at = coalesce(r.acknowledged_at, now()), read_at = coalesce(r.read_at, now()), unread = false
    ${CLEARS}
     and r.message_id = $1 and r.user_id = $2 and r.department_id = $3
  returning r.acknowledged_at, before.acknowledged_at is null as fresh, before.unread as was_unread, m.sender_id`,

  /** Why an acknowledgement was refused: the sender's own message, or none of theirs. */
  acknowledgeRefusal: 'select sender_id, sender_deleted_at from mail_messages where id = $1 and department_id = $2',

  /** Soft delete: the row keeps who removed it and when. */
  deleteFromInbox: `
  update mail_recipients r set deleted_at = now(), deleted_by = $1, unread = false
    from mail_recipients before
   where before.message_id = r.message_id and before.user_id = r.user_id
     and r.user_id = $1 and r.department_id = $2 and r.message_id = any($3::int[]) and r.deleted_at is null
  returning before.unread as was_unread`,

  /** The first message sent with this key by this sender within the last 24 hours. */
  findByKey: `
  select id, recipient_count as "recipientCount" from mail_messages
   where sender_id = $1 and idempotency_key = $2 and created_at > now() - interval '24 hours'`,

  /** A key used more than 24 hours ago may be used again: the old message lets go of it. */
  releaseStaleKey: `
  update mail_messages set idempotency_key = null
   where sender_id = $1 and idempotency_key = $2 and created_at <= now() - interval '24 hours'`,

  /** A message the caller sent or received, in their department. */
  visibleTo: `
  select 1 from mail_messages m
   where m.id = $1 and m.department_id = $2
     and (m.sender_id = $3 or exists (select 1 from mail_recipients r where r.message_id = m.id and r.user_id = $3))`,

  /** A message the caller sent and kept, or received and kept: what its files may be read by. */
  keptBy: `
  select 1 from mail_messages m
   where m.id = $1 and m.department_id = $2 and ${keptByCaller('m', '$3')}`,

  auditHeader: 'select sender_id, sender_name, created_at, recipient_count from mail_messages where id = $1 and department_id = $2',

  /** Deletes are soft: the rows keep who removed them and when. */
  removals: `
  select 'outbox' as box, sender_id as owner_id, sender_deleted_by as deleted_by, sender_deleted_at as deleted_at
    from mail_messages where id = $1 and department_id = $2 and sender_deleted_at is not null
  union all
  select 'inbox', user_id, deleted_by, deleted_at
    from mail_recipients where message_id = $1 and department_id = $2 and deleted_at is not null
   order by deleted_at, box, owner_id`,

  deleteFromOutbox: `
  update mail_messages set sender_deleted_at = now(), sender_deleted_by = $1
   where sender_id = $1 and department_id = $2 and id = any($3::int[]) and sender_deleted_at is null
  returning id`,

  /** Whose counted copies the expiry of message $1 (or of any message, when null) clears. */
  expiringUsers: `
  select distinct r.user_id from mail_recipients r
   where r.unread and r.expires_at <= now() and ($1::int is null or r.message_id = $1)
   limit $2`,

  /** Clears the counted copies of those users whose message expired. */
  expire: `
  update mail_recipients r set unread = false
   where r.unread and r.expires_at <= now() and ($1::int is null or r.message_id = $1) and r.user_id = any($2::int[])
  returning r.user_id, r.department_id`,
};

export interface MessageRow {
  id: number;
  subject: string;
  body: string;
  sender_id: number;
  sender_name: string;
  type: MessageType;
  created_at: Date;
  expires_at: Date | null;
  recipient_count: number;
  sender_deleted_at: Date | null;
  is_recipient: boolean;
  deleted_at: Date | null;
  read_at: Date | null;
  /** The caller's copy still counts as unread. */
  unread: boolean;
  response: ResponseCode | null;
  response_note: string | null;
  priority: Priority;
  acknowledged_at: Date | null;
  attachments: AttachmentView[];
}

export interface RemovalRow {
  box: 'inbox' | 'outbox';
  owner_id: number;
  deleted_by: number | null;
  deleted_at: Date;
}

export interface AuditHeaderRow {
  sender_id: number;
  sender_name: string;
  created_at: Date;
  recipient_count: number;
}

export interface ReadRow {
  message_id: number;
  sender_id: number;
  read_at: Date;
  pushed: boolean;
}

export interface RespondRow {
  responded_at: Date;
  was_unread: boolean;
  acknowledged_now: boolean;
  sender_id: number;
}

export interface AcknowledgeRow {
  acknowledged_at: Date;
  fresh: boolean;
  was_unread: boolean;
  sender_id: number;
}

export interface RefusalRow {
  sender_id: number;
  sender_deleted_at: Date | null;
  recipient: boolean;
  deleted_at: Date | null;
  expires_at: Date | null;
}

/** Department mail's reads and writes; writes take the caller's transaction. */
@Injectable()
export class MailRepository {
  constructor(private readonly sql: SqlPool) {}

  inbox(userId: number, departmentId: number, unreadOnly: boolean, cursor: string | undefined, limit: number): Promise<InboxRow[]> {
    return this.sql.query<InboxRow>(
      unreadOnly ? MAIL_SQL.inboxUnread : MAIL_SQL.inbox,
      [userId, departmentId, cursorId(cursor), limit],
      unreadOnly ? 'mail_inbox_unread' : 'mail_inbox',
    );
  }

  topUnread(userId: number, departmentId: number, limit: number): Promise<InboxRow[]> {
    return this.sql.query<InboxRow>(MAIL_SQL.topUnread, [userId, departmentId, limit], 'mail_unread_top');
  }

  outbox(userId: number, departmentId: number, cursor: string | undefined, limit: number): Promise<OutboxRow[]> {
    return this.sql.query<OutboxRow>(MAIL_SQL.outbox, [userId, departmentId, cursorId(cursor), limit], 'mail_outbox');
  }

  async message(messageId: number, userId: number, departmentId: number): Promise<MessageRow | undefined> {
    const [row] = await this.sql.query<MessageRow>(MAIL_SQL.message, [messageId, userId, departmentId], 'mail_message');
    return row;
  }

  /** Inside a transaction when `tx` is given (a concurrent send's commit is visible to the next statement). */
  async findByKey(senderId: number, key: string, tx?: PoolClient): Promise<{ id: number; recipientCount: number } | undefined> {
    const rows = tx
      ? (await tx.query<{ id: number; recipientCount: number }>(MAIL_SQL.findByKey, [senderId, key])).rows
      : await this.sql.query<{ id: number; recipientCount: number }>(MAIL_SQL.findByKey, [senderId, key]);
    return rows[0];
  }

  async releaseStaleKey(tx: PoolClient, senderId: number, key: string): Promise<void> {
    await tx.query(MAIL_SQL.releaseStaleKey, [senderId, key]);
  }

  async visibleTo(messageId: number, departmentId: number, userId: number): Promise<boolean> {
    return (await this.sql.query(MAIL_SQL.visibleTo, [messageId, departmentId, userId], 'mail_message_visible')).length > 0;
  }

  async keptBy(messageId: number, departmentId: number, userId: number): Promise<boolean> {
    return (await this.sql.query(MAIL_SQL.keptBy, [messageId, departmentId, userId])).length > 0;
  }

  async auditHeader(messageId: number, departmentId: number): Promise<AuditHeaderRow | undefined> {
    const [row] = await this.sql.query<AuditHeaderRow>(MAIL_SQL.auditHeader, [messageId, departmentId]);
    return row;
  }

  removals(messageId: number, departmentId: number): Promise<RemovalRow[]> {
    return this.sql.query<RemovalRow>(MAIL_SQL.removals, [messageId, departmentId]);
  }

  async markRead(tx: PoolClient, userId: number, departmentId: number, messageIds: readonly number[]): Promise<ReadRow[]> {
    return (await tx.query<ReadRow>(MAIL_SQL.markRead, [userId, departmentId, messageIds])).rows;
  }

  async respond(tx: PoolClient, messageId: number, userId: number, departmentId: number, response: ResponseCode, note: string | null): Promise<RespondRow | undefined> {
    return (await tx.query<RespondRow>(MAIL_SQL.respond, [messageId, userId, departmentId, response, note])).rows[0];
  }

  async respondRefusal(messageId: number, userId: number, departmentId: number): Promise<RefusalRow | undefined> {
    const [row] = await this.sql.query<RefusalRow>(MAIL_SQL.respondRefusal, [messageId, userId, departmentId]);
    return row;
  }

  async acknowledge(tx: PoolClient, messageId: number, userId: number, departmentId: number): Promise<AcknowledgeRow | undefined> {
    return (await tx.query<AcknowledgeRow>(MAIL_SQL.acknowledge, [messageId, userId, departmentId])).rows[0];
  }

  async acknowledgeRefusal(messageId: number, departmentId: number): Promise<Pick<RefusalRow, 'sender_id' | 'sender_deleted_at'> | undefined> {
    const [row] = await this.sql.query<Pick<RefusalRow, 'sender_id' | 'sender_deleted_at'>>(MAIL_SQL.acknowledgeRefusal, [messageId, departmentId]);
    return row;
  }

  async deleteFromInbox(tx: PoolClient, userId: number, departmentId: number, messageIds: readonly number[]): Promise<{ was_unread: boolean }[]> {
    return (await tx.query<{ was_unread: boolean }>(MAIL_SQL.deleteFromInbox, [userId, departmentId, messageIds])).rows;
  }

  async deleteFromOutbox(userId: number, departmentId: number, messageIds: readonly number[]): Promise<number> {
    return (await this.sql.query(MAIL_SQL.deleteFromOutbox, [userId, departmentId, messageIds])).length;
  }

  async expiringUsers(tx: PoolClient, messageId: number | null, limit: number): Promise<number[]> {
    return (await tx.query<{ user_id: number }>(MAIL_SQL.expiringUsers, [messageId, limit])).rows.map((r) => r.user_id);
  }

  async expire(tx: PoolClient, messageId: number | null, userIds: readonly number[]): Promise<{ user_id: number; department_id: number }[]> {
    return (await tx.query<{ user_id: number; department_id: number }>(MAIL_SQL.expire, [messageId, userIds])).rows;
  }
}
