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
