/**
 * The socket.io namespace `/messages`: every event and payload, typed once, so the server, the
 * web app and the tests agree. Import the types; this file has no runtime code beyond the
 * namespace name.
 */
export const MESSAGES_NAMESPACE = '/messages';

export type MessageType = 'normal' | 'callback' | 'poll' | 'alert';
export type ResponseCode = 'yes' | 'no' | 'maybe';
export type ConversationKind = 'dispatch' | 'personal' | 'direct';

/** One row of a member's inbox. */
export interface InboxItem {
  id: number;
  subject: string;
  senderId: number;
  senderName: string;
  type: MessageType;
  createdAt: string;
  isRead: boolean;
  readAt: string | null;
  response: ResponseCode | null;
}

/** One message of a conversation, as the history route and the socket both give it. */
export interface ConversationMessagePayload {
  conversationId: number;
  seq: number;
  /** null for a system message (joins, leaves, invitations). */
  senderId: number | null;
  senderName: string;
  body: string;
  kind: 'text' | 'system';
  clientId: string | null;
  createdAt: string;
}

export interface ConversationMemberView {
  userId: number;
  name: string;
}

/** A conversation as one member sees it: `GET /api/conversations` items and `conversation:invited`. */
export interface ConversationSummary {
  id: number;
  kind: ConversationKind;
  /** For a direct conversation, the other person's name. */
  title: string;
  zoneId: number | null;
  dispatchId: number | null;
  createdBy: number | null;
  createdAt: string;
  archivedAt: string | null;
  /** The current members. */
  members: ConversationMemberView[];
  /** false once the caller has left (they may still read a dispatch conversation). */
  isMember: boolean;
  lastSeq: number;
  lastReadSeq: number;
  unreadCount: number;
  lastMessage: ConversationMessagePayload | null;
}

export interface ConversationMemberPayload {
  conversationId: number;
  userId: number;
  change: 'joined' | 'left' | 'invited';
}

export interface SocketError {
  statusCode: number;
  message: string;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: SocketError };

export interface ServerToClientEvents {
  'message:new': (item: InboxItem) => void;
  'unread:count': (payload: { count: number }) => void;
  'conversation:message': (payload: ConversationMessagePayload) => void;
  'conversation:invited': (conversation: ConversationSummary) => void;
  'conversation:member': (payload: ConversationMemberPayload) => void;
  'conversation:archived': (payload: { conversationId: number }) => void;
  /**
   * Sent just before the server closes the socket because its access ended: 401 (token
   * expired, signed out, password changed, account deactivated) or 403 (a permission withdrawn,
   * the module switched off). The client should not reconnect with the same token.
   */
  'session:ended': (reason: SocketError) => void;
  /**
   * The member's record (`scope: 'member'`: a permission granted or withdrawn, the zone) or their
   * department (`'department'`: a module switch) changed, and this socket keeps its access: the
   * client reads again what it may do.
   */
  'access:changed': (change: { scope: 'member' | 'department'; at: string }) => void;
}

export interface ConversationSendPayload {
  conversationId: number;
  body: string;
  clientId?: string;
}

export interface ConversationReadPayload {
  conversationId: number;
  seq: number;
}

export interface ConversationReadResult {
  conversationId: number;
  /** The caller's read position after the call. */
  seq: number;
  unreadCount: number;
}

export interface ClientToServerEvents {
  'conversation:send': (payload: ConversationSendPayload, ack: (result: Ack<ConversationMessagePayload>) => void) => void;
  'conversation:read': (payload: ConversationReadPayload, ack: (result: Ack<ConversationReadResult>) => void) => void;
}

/** Between server processes (through the shared adapter). */
export interface InterServerEvents {
  'unread:changed': (departmentId: number, userIds: number[]) => void;
}
