import type { PoolClient } from 'pg';
import type { OfflineNotifier } from '../push/offline-notifier';
import type { InboxItem, MessageType, Priority } from '../realtime/socket-events';

const PREVIEW_LENGTH = 120;
const preview = (html: string) => html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, PREVIEW_LENGTH);

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

/**
 * Stores a message, fans it out to every recipient with one `INSERT ... SELECT` over the ids and
 * queues the offline notifications, all inside the caller's transaction. Null when another send
 * with the same idempotency key got there first. Every send goes through here: the composer's and
 * the escalation's.
 */
export async function writeMail(client: PoolClient, offline: OfflineNotifier, mail: NewMail): Promise<{ id: number; createdAt: Date } | null> {
  const inserted = await client.query<{ id: number; created_at: Date }>(
    `insert into mail_messages (department_id, sender_id, sender_name, subject, body, type, expires_at, recipient_count, idempotency_key, priority, escalation)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     on conflict (sender_id, idempotency_key) where idempotency_key is not null do nothing
     returning id, created_at`,
    [
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
    ],
  );
  if (inserted.rowCount === 0) return null;
  const { id, created_at: createdAt } = inserted.rows[0];
  await client.query(
    `insert into mail_recipients (message_id, user_id, department_id, expires_at)
     select $1, u.id, $2, $3 from unnest($4::int[]) as u(id)`,
    [id, mail.departmentId, mail.expiresAt, mail.recipientIds],
  );
  await offline.enqueue(client, mail.departmentId, mail.recipientIds, {
    kind: 'message',
    title: mail.subject,
    preview: preview(mail.body),
    ids: { messageId: id },
    ...(mail.priority === 'urgent' && { urgent: true }),
  });
  return { id, createdAt };
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
