/**
 * The socket.io namespace `/messages`: every event and payload, typed once, so the server, the
 * web app and the tests agree. Import the types; this file has no runtime code.
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

export interface ConversationMessagePayload {
  conversationId: number;
  seq: number;
  senderId: number | null;
  body: string;
  kind: 'text' | 'system';
  createdAt: string;
}

export interface ConversationMemberPayload {
  conversationId: number;
  userId: number;
  change: 'joined' | 'left' | 'invited';
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: { statusCode: number; message: string } };

export interface ServerToClientEvents {
  'message:new': (item: InboxItem) => void;
  'unread:count': (payload: { count: number }) => void;
  'conversation:message': (payload: ConversationMessagePayload) => void;
  'conversation:invited': (conversation: unknown) => void;
  'conversation:member': (payload: ConversationMemberPayload) => void;
  'conversation:archived': (payload: { conversationId: number }) => void;
}

export interface ClientToServerEvents {
  'conversation:send': (
    payload: { conversationId: number; body: string; clientId?: string },
    ack: (result: Ack<ConversationMessagePayload>) => void,
  ) => void;
  'conversation:read': (payload: { conversationId: number; seq: number }, ack: (result: Ack<{ seq: number }>) => void) => void;
}
