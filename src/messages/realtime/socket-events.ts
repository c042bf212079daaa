/**
 * The socket.io namespace `/messages`: every event and payload, typed once, so the server, the
 * web app and the tests agree. Import the types; this file has no runtime code beyond the
 * namespace name.
 */
export const MESSAGES_NAMESPACE = '/messages';

export type MessageType = 'normal' | 'callback' | 'poll' | 'alert';
export type ResponseCode = 'yes' | 'no' | 'maybe';
export type ConversationKind = 'dispatch' | 'personal' | 'direct';
/** An urgent message must be acknowledged by each recipient; reminders follow until it is. */
export type Priority = 'normal' | 'urgent';

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
  priority: Priority;
  acknowledgedAt: string | null;
}

export type NotificationLevel = 'all' | 'mentions' | 'none';

/** Where the sender was, as their device measured it. */
export interface MessageLocation {
  lat: number;
  lng: number;
  accuracyM: number | null;
}

/** An uploaded file a message carries; `GET /api/attachments/:id` serves it (and `/thumbnail` for an image). */
export interface AttachmentView {
  id: number;
  name: string;
  /** As read from the content, not the name. */
  contentType: string;
  size: number;
  width?: number;
  height?: number;
}

/** The earlier message a reply quotes, as it reads now (empty once retracted). */
export interface ReplyQuote {
  seq: number;
  senderName: string;
  body: string;
  retracted: boolean;
}

/** One message of a conversation, as the history route and the socket both give it. */
export interface ConversationMessagePayload {
  conversationId: number;
  seq: number;
  /** null for a system message (joins, leaves, invitations). */
  senderId: number | null;
  senderName: string;
  /** Empty for a retracted message, and for one that carries only a location or attachments. */
  body: string;
  kind: 'text' | 'system';
  clientId: string | null;
  createdAt: string;
  priority: Priority;
  replyTo: ReplyQuote | null;
  mentionUserIds: number[];
  location: MessageLocation | null;
  attachments: AttachmentView[];
  /** Set once the sender has edited it; `GET .../messages/:seq/edits` has the earlier versions. */
  editedAt: string | null;
  /** Set once the sender has retracted it: the body is gone, the message stays in its place. */
  retractedAt: string | null;
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
  /** Text messages after the caller's read position; joins, leaves and invitations do not count. */
  unreadCount: number;
  /** Which messages of it push a notification to the caller's devices. */
  notificationLevel: NotificationLevel;
  lastMessage: ConversationMessagePayload | null;
}

export interface ConversationMemberPayload {
  conversationId: number;
  userId: number;
  change: 'joined' | 'left' | 'invited';
}

/** A member's read position, shared with the other members. */
export interface ConversationReceiptPayload {
  conversationId: number;
  userId: number;
  seq: number;
}

export interface SocketError {
  statusCode: number;
  message: string;
}

/** How far a message got with one recipient: a channel reached them, they read it, they acknowledged it. */
export type DeliveryState = 'reached' | 'read' | 'acknowledged';
export type DeliveryChannel = 'socket' | 'push' | 'email';

/** To the sender's sockets, as each recipient's state changes. */
export interface MessageDeliveryPayload {
  messageId: number;
  userId: number;
  state: DeliveryState;
  channel?: DeliveryChannel;
  at: string;
}

/** The same for an urgent conversation message, to its author's sockets. */
export interface ConversationDeliveryPayload {
  conversationId: number;
  seq: number;
  userId: number;
  state: DeliveryState;
  channel?: DeliveryChannel;
  at: string;
}

/** A reminder of an urgent message not yet acknowledged: the `reminder`th of at most `of`. */
export interface MessageReminderPayload {
  messageId: number;
  subject: string;
  senderName: string;
  reminder: number;
  of: number;
}

/** The same for an urgent conversation line, to the members who have not acknowledged it. */
export interface ConversationReminderPayload {
  conversationId: number;
  seq: number;
  reminder: number;
  of: number;
}

export interface AcknowledgedResult {
  messageId: number;
  acknowledgedAt: string;
}

export interface ConversationAcknowledgedResult {
  conversationId: number;
  seq: number;
  acknowledgedAt: string;
}

export interface ReceivedResult {
  /** false when it had been confirmed before (or is not the caller's to confirm). */
  recorded: boolean;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: SocketError };

/** A dispatch of the caller's department changed; the client reads it again (`GET /api/dispatches/:id`). */
export interface DispatchChangedPayload {
  dispatchId: number;
  change: 'created' | 'task-assigned' | 'task-cleared' | 'closed';
  /** The task's officer, for task changes. */
  officerId?: number;
  taskId?: number;
  at: string;
}

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
  'message:delivery': (payload: MessageDeliveryPayload) => void;
  'conversation:delivery': (payload: ConversationDeliveryPayload) => void;
  'message:reminder': (payload: MessageReminderPayload) => void;
  'conversation:reminder': (payload: ConversationReminderPayload) => void;
  'conversation:edited': (payload: ConversationMessagePayload) => void;
  'conversation:retracted': (payload: ConversationMessagePayload) => void;
  'conversation:receipt': (payload: ConversationReceiptPayload) => void;
  'conversation:typing': (payload: { conversationId: number; userId: number }) => void;
  /**
   * The member's record (`scope: 'member'`: a permission granted or withdrawn, the zone) or their
   * department (`'department'`: a module switch) changed, and this socket keeps its access: the
   * client reads again what it may do.
   */
  'access:changed': (change: { scope: 'member' | 'department'; at: string }) => void;
  'dispatch:changed': (payload: DispatchChangedPayload) => void;
  /** To the sender of a callback or poll: a recipient answered (the last answer stands). */
  'message:response': (payload: { messageId: number; userId: number; response: ResponseCode; respondedAt: string }) => void;
}

export interface ConversationSendPayload {
  conversationId: number;
  /** May be left out when the message carries a location or attachments. */
  body?: string;
  clientId?: string;
  priority?: Priority;
  /** Urgent only, as on department mail: reminders until each member acknowledges, then a message to the people named. */
  escalation?: { repeatEverySeconds: number; repeats: number; thenNotifyUserIds?: number[]; thenNotifyRoleIds?: number[] };
  replyToSeq?: number;
  mentionUserIds?: number[];
  location?: { lat: number; lng: number; accuracyM?: number };
  attachmentIds?: number[];
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
  'message:ack': (payload: { messageId: number }, ack: (result: Ack<AcknowledgedResult>) => void) => void;
  'message:received': (payload: { messageId: number }, ack: (result: Ack<ReceivedResult>) => void) => void;
  'conversation:ack': (payload: { conversationId: number; seq: number }, ack: (result: Ack<ConversationAcknowledgedResult>) => void) => void;
  'conversation:received': (payload: { conversationId: number; seq: number }, ack: (result: Ack<ReceivedResult>) => void) => void;
  /** Relayed to the other connected members at most once every few seconds per conversation; never stored. */
  'conversation:typing': (payload: { conversationId: number }, ack: (result: Ack<{ relayed: boolean }>) => void) => void;
}

/** Between server processes (through the shared adapter). */
export interface InterServerEvents {
  'unread:changed': (departmentId: number, userIds: number[]) => void;
}
