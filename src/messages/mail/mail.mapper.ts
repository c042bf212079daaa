import type { MessageType, Priority, ResponseCode } from '../realtime/socket-events';
import type { InboxItem, OutboxItem, ResponseTally } from './dto/mail-views';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The columns every inbox list selects (`m` the message, `r` the caller's recipient row). */
export const INBOX_COLUMNS = `m.id, m.subject, m.sender_id, m.sender_name, m.type, m.created_at, r.read_at, r.response, m.priority, r.acknowledged_at`;

export interface InboxRow {
  id: number;
  subject: string;
  sender_id: number;
  sender_name: string;
  type: MessageType;
  created_at: Date;
  read_at: Date | null;
  response: ResponseCode | null;
  priority: Priority;
  acknowledged_at: Date | null;
}

export const toInboxItem = (row: InboxRow): InboxItem => ({
  id: row.id,
  subject: row.subject,
  senderId: row.sender_id,
  senderName: row.sender_name,
  type: row.type,
  createdAt: row.created_at.toISOString(),
  isRead: row.read_at !== null,
  readAt: iso(row.read_at),
  response: row.response,
  priority: row.priority,
  acknowledgedAt: iso(row.acknowledged_at),
});

/** Counts over a message's recipient rows (`x`); each tally is a column. */
export const TALLY_COLUMNS = `count(x.read_at)::int as read_count,
  count(*) filter (where x.response = 'yes')::int as yes_count,
  count(*) filter (where x.response = 'no')::int as no_count,
  count(*) filter (where x.response = 'maybe')::int as maybe_count`;

export interface TallyRow {
  read_count: number;
  yes_count: number;
  no_count: number;
  maybe_count: number;
}

export const toTally = (row: TallyRow): ResponseTally => ({ yes: row.yes_count, no: row.no_count, maybe: row.maybe_count });

export interface OutboxRow extends TallyRow {
  id: number;
  subject: string;
  type: MessageType;
  created_at: Date;
  expires_at: Date | null;
  recipient_count: number;
}

export const toOutboxItem = (row: OutboxRow): OutboxItem => ({
  id: row.id,
  subject: row.subject,
  type: row.type,
  createdAt: row.created_at.toISOString(),
  expiresAt: iso(row.expires_at),
  recipientCount: row.recipient_count,
  readCount: row.read_count,
  responses: toTally(row),
});

export { iso };
