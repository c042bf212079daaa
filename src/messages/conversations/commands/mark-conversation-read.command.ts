import { Command } from '@nestjs/cqrs';
import type { ConversationReadResult } from '../../realtime/socket-events';

/** Everything up to `seq` is read (the position only moves forward, and not past the last message). */
export class MarkConversationRead extends Command<ConversationReadResult> {
  constructor(
    readonly departmentId: number,
    readonly userId: number,
    readonly conversationId: number,
    readonly seq: number,
  ) {
    super();
  }
}
