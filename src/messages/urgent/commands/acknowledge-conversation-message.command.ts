import { Command } from '@nestjs/cqrs';
import type { ConversationAcknowledgedResult } from '../../realtime/socket-events';

export class AcknowledgeConversationMessage extends Command<ConversationAcknowledgedResult> {
  constructor(
    readonly departmentId: number,
    readonly userId: number,
    readonly conversationId: number,
    readonly seq: number,
  ) {
    super();
  }
}
