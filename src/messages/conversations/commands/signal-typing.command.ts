import { Command } from '@nestjs/cqrs';
import { type Actor } from '../conversation.store';

/** A member is typing in a conversation: the other connected members are told; nothing is stored. */
export class SignalTyping extends Command<{ relayed: boolean }> {
  constructor(
    readonly member: Actor,
    readonly conversationId: number,
  ) {
    super();
  }
}

/** A client sends typing on every key press; one relay per member and conversation per interval is enough. */
export const TYPING_RELAY_INTERVAL_MS = 2_000;
