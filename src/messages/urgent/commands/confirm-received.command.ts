import { Command } from '@nestjs/cqrs';
import type { ReceivedResult } from '../../realtime/socket-events';

/** A connected client confirms that a department message or a conversation message arrived. */
export class ConfirmReceived extends Command<ReceivedResult> {
  constructor(
    readonly departmentId: number,
    readonly userId: number,
    readonly target: { messageId: number } | { conversationId: number; seq: number },
  ) {
    super();
  }
}
