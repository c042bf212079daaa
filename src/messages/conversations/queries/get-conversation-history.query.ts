import { Query } from '@nestjs/cqrs';
import { type HistoryPage } from '../conversation.store';

/**
 * Messages by `seq`: `after` gives the next ones (a reconnecting client's catch-up), `before`
 * the ones just before (scrolling back), neither the latest. A null viewer reads the record.
 * Reading marks nothing read: that is `MarkConversationRead`'s.
 */
export class GetConversationHistory extends Query<HistoryPage> {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    readonly viewerId: number | null,
    readonly range: { after?: number; before?: number; limit: number },
  ) {
    super();
  }
}
