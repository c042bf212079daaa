import { Command } from '@nestjs/cqrs';
import type { ConversationMessagePayload } from '../../realtime/socket-events';
import type { EscalationDto } from '../../urgent/dto/urgent.dto';
import { type MessagePriority } from '../../push/push-decision';
import { type Actor } from '../conversation.store';

export interface PostMessageInput {
  author: Actor;
  conversationId: number;
  /** Plain text; may be empty when the message carries a location. */
  body?: string;
  /** Quotes an earlier message of the conversation. */
  replyToSeq?: number;
  /** Current members called to attention: notified even in a conversation muted to `mentions`. */
  mentionUserIds?: readonly number[];
  location?: { lat: number; lng: number; accuracyM?: number };
  /** The author's unused uploads that the message carries. */
  attachmentIds?: readonly number[];
  /** Urgent: each other member must acknowledge it, and it reaches every member's devices whatever their notification level. */
  priority?: MessagePriority;
  /** Urgent only: reminders to the members who have not acknowledged, then a message to the people named. */
  escalation?: EscalationDto;
  /** The client's id for the message: a repeat returns the first message and stores nothing. */
  clientId?: string | null;
  /**
   * A user who is not a member joins a dispatch conversation by writing, when authorized in its
   * zone (comment-to-join). Without it, or on another kind, a non-member gets 404.
   */
  joinByWriting?: boolean;
}

/** Posts a text message; a member who had left is back in by writing. */
export class PostMessage extends Command<ConversationMessagePayload> {
  constructor(readonly input: PostMessageInput) {
    super();
  }
}
