import { Command } from '@nestjs/cqrs';
import type { ConversationMessagePayload } from '../../realtime/socket-events';
import { type Actor } from '../conversation.store';

/** The sender takes their message back: its text, location, attachments and earlier versions are gone, its place in the history stays. */
export class RetractMessage extends Command<ConversationMessagePayload> {
  constructor(
    readonly author: Actor,
    readonly conversationId: number,
    readonly seq: number,
  ) {
    super();
  }
}
