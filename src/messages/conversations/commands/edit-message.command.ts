import { Command } from '@nestjs/cqrs';
import type { ConversationMessagePayload } from '../../realtime/socket-events';
import { type Actor } from '../conversation.store';

/** The sender replaces the text of their message; the earlier text is kept as a version. */
export class EditMessage extends Command<ConversationMessagePayload> {
  constructor(
    readonly author: Actor,
    readonly conversationId: number,
    readonly seq: number,
    readonly body: string,
  ) {
    super();
  }
}
