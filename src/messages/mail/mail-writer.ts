import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { htmlToText } from '../html-to-text';
import { OfflineNotifier } from '../push/offline-notifier';
import type { InboxItem, MessageType, Priority } from '../realtime/socket-events';
import { MailExpiry } from './expiry/mail-expiry';
import { UnreadStateRepository, type UnreadChange } from './unread/unread-state.repository';

const PREVIEW_LENGTH = 120;

/** A department message ready to store: its body already sanitized, its recipients resolved. */
export interface NewMail {
  departmentId: number;
  senderId: number;
  senderName: string;
  subject: string;
  body: string;
  type: MessageType;
  priority: Priority;
  expiresAt: Date | null;
  idempotencyKey: string | null;
  escalation: object | null;
  recipientIds: readonly number[];
}

export interface WrittenMail {
  id: number;
  createdAt: Date;
  /** The recipients' unread state change, for this process's cache once committed. */
  unread: UnreadChange | null;
}

const INSERT_MESSAGE = `
  insert into mail_messages (department_id, sender_id, sender_name, subject, body, type, expires_at, recipient_count, idempotency_key, priority, escalation)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
  on conflict (sender_id, idempotency_key) where idempotency_key is not null do nothing
  returning id, created_at`;

const FAN_OUT = `
  insert into mail_recipients (message_id, user_id, department_id, expires_at)
  select $1, u.id, $2, $3 from unnest($4::int[]) as u(id)`;

export const MAIL_WRITER_SQL = { insertMessage: INSERT_MESSAGE, fanOut: FAN_OUT };

/**
 * Stores a message, fans it out to every recipient with one `INSERT ... SELECT` over the ids,
 * raises each recipient's unread state with one more, queues the offline notifications and the
 * expiry, all inside the caller's transaction. Every send goes through here: the composer's and
 * the escalation's.
 */
@Injectable()
export class MailWriter {
  constructor(
    private readonly offline: OfflineNotifier,
    private readonly unread: UnreadStateRepository,
    private readonly expiry: MailExpiry,
  ) {}

  /** Null when another send with the same idempotency key got there first. */
  async write(client: PoolClient, mail: NewMail): Promise<WrittenMail | null> {
    const inserted = await client.query<{ id: number; created_at: Date }>(INSERT_MESSAGE, [
      mail.departmentId,
      mail.senderId,
      mail.senderName,
      mail.subject,
      mail.body,
      mail.type,
      mail.expiresAt,
      mail.recipientIds.length,
      mail.idempotencyKey,
      mail.priority,
      mail.escalation,
    ]);
    if (inserted.rowCount === 0) return null;
    const { id, created_at: createdAt } = inserted.rows[0];
    await client.query(FAN_OUT, [id, mail.departmentId, mail.expiresAt, mail.recipientIds]);
    const unread = await this.unread.added(client, mail.departmentId, id, mail.recipientIds);
    if (mail.expiresAt) await this.expiry.schedule(client, id, mail.expiresAt);
    await this.offline.enqueue(client, mail.departmentId, mail.recipientIds, {
      kind: 'message',
      title: mail.subject,
      preview: htmlToText(mail.body).slice(0, PREVIEW_LENGTH),
      ids: { messageId: id },
      ...(mail.priority === 'urgent' && { urgent: true }),
    });
    return { id, createdAt, unread };
  }
}

/** What each recipient sees in the inbox (and in `message:new`) for a message just written. */
export const newInboxItem = (mail: NewMail, id: number, createdAt: Date): InboxItem => ({
  id,
  subject: mail.subject,
  senderId: mail.senderId,
  senderName: mail.senderName,
  type: mail.type,
  createdAt: createdAt.toISOString(),
  isRead: false,
  readAt: null,
  response: null,
  priority: mail.priority,
  acknowledgedAt: null,
});
