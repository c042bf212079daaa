import type { AttachmentView, InboxItem, MessageType, Priority, ResponseCode } from '../../realtime/socket-events';
import type { DeliverySummary } from '../../urgent/dto/delivery-views';

export type { InboxItem };

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface ResponseTally {
  yes: number;
  no: number;
  maybe: number;
}

export interface OutboxItem {
  id: number;
  subject: string;
  type: MessageType;
  createdAt: string;
  expiresAt: string | null;
  recipientCount: number;
  readCount: number;
  responses: ResponseTally;
}

export interface TopUnread {
  count: number;
  items: InboxItem[];
}

export interface RecipientStatus {
  userId: number;
  name: string | null;
  readAt: string | null;
  response: ResponseCode | null;
  note: string | null;
  respondedAt: string | null;
}

/** One message as its sender or a recipient sees it. */
export interface MessageDetail {
  id: number;
  subject: string;
  body: string;
  senderId: number;
  senderName: string;
  type: MessageType;
  createdAt: string;
  expiresAt: string | null;
  expired: boolean;
  /** The caller's own copy (null for the sender, who is never a recipient). */
  readAt: string | null;
  response: ResponseCode | null;
  note: string | null;
  priority: Priority;
  /** The caller's own acknowledgement (null for the sender). */
  acknowledgedAt: string | null;
  attachments: AttachmentView[];
  /** For the sender only: counts and each recipient's status. */
  recipientCount?: number;
  readCount?: number;
  responses?: ResponseTally;
  /** The first page (at most 100, by user id). */
  recipients?: RecipientStatus[];
  /** Pass as `cursor` to `GET /messages/:id/recipients` for the rest; null when this page is all. */
  recipientsNextCursor?: string | null;
  /** For the sender only: how far the message got (`GET /messages/:id/recipients` lists each one). */
  delivery?: DeliverySummary;
}

export interface ResponseResult {
  messageId: number;
  response: ResponseCode;
  note: string | null;
  respondedAt: string;
}

/** One removal of a message from someone's inbox or outbox. */
export interface MessageRemoval {
  box: 'inbox' | 'outbox';
  /** Whose inbox or outbox it left. */
  ownerId: number;
  ownerName: string | null;
  removedBy: number | null;
  removedByName: string | null;
  removedAt: string;
}

/** Who removed a message, for a department admin; no subject or body. */
export interface MessageAudit {
  messageId: number;
  senderId: number;
  senderName: string;
  createdAt: string;
  recipientCount: number;
  /** Oldest first. */
  removals: MessageRemoval[];
}

export interface Affected {
  affected: number;
}
