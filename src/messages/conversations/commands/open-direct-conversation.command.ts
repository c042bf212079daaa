import { Command } from '@nestjs/cqrs';
import type { ConversationSummary } from '../../realtime/socket-events';
import { type Actor } from '../conversation.store';

/** Gets or creates the caller's direct conversation with `userId`: one per pair, whoever starts it. */
export class OpenDirectConversation extends Command<{ conversation: ConversationSummary; created: boolean }> {
  constructor(
    readonly caller: Actor,
    readonly userId: number,
  ) {
    super();
  }
}
