import { Query } from '@nestjs/cqrs';
import type { ConversationSummary } from '../../realtime/socket-events';

/** One conversation as `viewerId` sees it; a null viewer reads it as the record (no membership check). */
export class GetConversation extends Query<ConversationSummary> {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    readonly viewerId: number | null,
  ) {
    super();
  }
}
