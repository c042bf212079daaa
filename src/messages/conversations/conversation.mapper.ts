import { attachmentsJsonSql } from '../attachments/attachment.mapper';
import type {
  AttachmentView,
  ConversationKind,
  ConversationMemberView,
  ConversationMessagePayload,
  ConversationSummary,
  NotificationLevel,
  Priority,
  ReplyQuote,
} from '../realtime/socket-events';

/** Rows as the conversation queries select them, and their mapping to what clients see. */

export interface MessageRow {
  conversation_id: number;
  seq: number;
  sender_id: number | null;
  sender_name: string;
  kind: 'text' | 'system';
  body: string;
  client_id: string | null;
  /** A Date from a column, a string when the row came as JSON. */
  created_at: Date | string;
  mention_user_ids: number[];
  location_lat: number | null;
  location_lng: number | null;
  location_accuracy_m: number | null;
  edited_at: Date | string | null;
  retracted_at: Date | string | null;
  reply_to: ReplyQuote | null;
  attachments: AttachmentView[];
  priority: Priority;
}

/**
 * The columns of `conversation_messages` (unaliased) a message is built from. The quoted line
 * of a reply is read with it, so it shows as the quoted message reads now.
 */
export const MESSAGE_COLUMNS = `conversation_id, seq, sender_id, sender_name, kind, body, client_id, created_at, priority,
  mention_user_ids, location_lat, location_lng, location_accuracy_m, edited_at, retracted_at,
  (select json_build_object('seq', q.seq, 'senderName', q.sender_name, 'body', left(q.body, 200), 'retracted', q.retracted_at is not null)
     from conversation_messages q
    where q.conversation_id = conversation_messages.conversation_id and q.seq = conversation_messages.reply_to_seq) as reply_to,
  ${attachmentsJsonSql('a.conversation_id = conversation_messages.conversation_id and a.seq = conversation_messages.seq')} as attachments`;

const iso = (value: Date | string) => new Date(value).toISOString();

export const toMessage = (r: MessageRow): ConversationMessagePayload => ({
  conversationId: r.conversation_id,
  seq: r.seq,
  senderId: r.sender_id,
  senderName: r.sender_name,
  body: r.body,
  kind: r.kind,
  clientId: r.client_id,
  createdAt: iso(r.created_at),
  replyTo: r.reply_to,
  mentionUserIds: r.mention_user_ids,
  attachments: r.attachments,
  location: r.location_lat === null || r.location_lng === null ? null : { lat: r.location_lat, lng: r.location_lng, accuracyM: r.location_accuracy_m },
  editedAt: r.edited_at === null ? null : iso(r.edited_at),
  retractedAt: r.retracted_at === null ? null : iso(r.retracted_at),
  priority: r.priority ?? 'normal',
});

export interface SummaryRow {
  id: number;
  kind: ConversationKind;
  title: string;
  zone_id: number | null;
  dispatch_id: number | null;
  created_by: number | null;
  created_at: Date;
  archived_at: Date | null;
  last_seq: number;
  viewer_id: number | null;
  last_read_seq: number | null;
  left_at: Date | null;
  notification_level: NotificationLevel | null;
  unread_count: number;
  members: ConversationMemberView[];
  last_message: MessageRow | null;
}

export const toSummary = (r: SummaryRow): ConversationSummary => {
  const other = r.kind === 'direct' ? r.members.find((m) => m.userId !== r.viewer_id) : undefined;
  return {
    id: r.id,
    kind: r.kind,
    title: other?.name ?? r.title,
    zoneId: r.zone_id,
    dispatchId: r.dispatch_id,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    archivedAt: r.archived_at?.toISOString() ?? null,
    members: r.members,
    isMember: r.viewer_id !== null && r.left_at === null,
    lastSeq: r.last_seq,
    lastReadSeq: r.last_read_seq ?? 0,
    unreadCount: r.unread_count,
    notificationLevel: r.notification_level ?? 'all',
    lastMessage: r.last_message === null ? null : toMessage(r.last_message),
  };
};
