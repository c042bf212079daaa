import type { Priority, ResponseCode } from '../../realtime/socket-events';

/** "7 of 9 acknowledged, 2 unreachable": counts over one message's recipients. */
export interface DeliverySummary {
  recipients: number;
  /** Some channel reached them, or they read it. */
  reached: number;
  read: number;
  acknowledged: number;
  /** Not reached, with no live socket, no push device and no email sent. */
  unreachable: number;
}

/** Where one recipient stands: `pending` is not yet reached but reachable. */
export type RecipientDeliveryState = 'acknowledged' | 'read' | 'reached' | 'pending' | 'unreachable';

export interface RecipientDelivery {
  userId: number;
  name: string | null;
  state: RecipientDeliveryState;
  /** When each channel first reached them. */
  channels: { socket: string | null; push: string | null; email: string | null };
  readAt: string | null;
  acknowledgedAt: string | null;
  response: ResponseCode | null;
}

export interface RecipientDeliveryPage {
  messageId: number;
  priority: Priority;
  summary: DeliverySummary;
  items: RecipientDelivery[];
  nextCursor: string | null;
}

/** An urgent conversation message's record, for its author; a conversation keeps read positions, not read times. */
export interface ConversationDelivery {
  conversationId: number;
  seq: number;
  summary: DeliverySummary;
  items: RecipientDelivery[];
  /** Lists share one shape; the whole record is one page. */
  nextCursor: null;
}
