import type { ConversationKind, Priority, ConversationMemberView, ConversationMessagePayload, ConversationSummary } from '../realtime/socket-events';

/** Rows as the conversation queries select them, and their mapping to what clients see. */

export interface MessageRow {
  conversation_id: number;
  seq: number;
  sender_id: number | null;
  sender_name: string;
  kind: 'text' | 'system';
  body: string;
  client_id: string | null;
  created_at: Date;
  priority: Priority;
}

export const MESSAGE_COLUMNS = 'conversation_id, seq, sender_id, sender_name, kind, body, client_id, created_at, priority';

export const toMessage = (r: MessageRow): ConversationMessagePayload => ({
  conversationId: r.conversation_id,
  seq: r.seq,
  senderId: r.sender_id,
  senderName: r.sender_name,
  body: r.body,
  kind: r.kind,
  clientId: r.client_id,
  createdAt: r.created_at.toISOString(),
  priority: r.priority,
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
  members: ConversationMemberView[];
  lm_seq: number | null;
  lm_sender_id: number | null;
  lm_sender_name: string | null;
  lm_kind: 'text' | 'system' | null;
  lm_body: string | null;
  lm_client_id: string | null;
  lm_created_at: Date | null;
  lm_priority: Priority | null;
}

export const toSummary = (r: SummaryRow): ConversationSummary => {
  const lastReadSeq = r.last_read_seq ?? 0;
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
    lastReadSeq,
    unreadCount: Math.max(0, r.last_seq - lastReadSeq),
    lastMessage:
      r.lm_seq === null
        ? null
        : toMessage({
            conversation_id: r.id,
            seq: r.lm_seq,
            sender_id: r.lm_sender_id,
            sender_name: r.lm_sender_name!,
            kind: r.lm_kind!,
            body: r.lm_body!,
            client_id: r.lm_client_id,
            created_at: r.lm_created_at!,
            priority: r.lm_priority ?? 'normal',
          }),
  };
};
