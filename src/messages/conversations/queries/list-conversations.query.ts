import { Query } from '@nestjs/cqrs';
import type { ConversationKind } from '../../realtime/socket-events';
import { type ConversationPage } from '../conversation.store';

/** A page of the caller's open conversations, most recently active first, each with its unread count and last message. */
export class ListConversations extends Query<ConversationPage> {
  constructor(
    readonly departmentId: number,
    readonly userId: number,
    readonly page: { limit: number; cursor?: string; kind?: ConversationKind },
  ) {
    super();
  }
}
