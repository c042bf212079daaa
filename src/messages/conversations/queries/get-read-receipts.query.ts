import { Query } from '@nestjs/cqrs';
import type { ConversationReceiptPayload } from '../../realtime/socket-events';

/** Each current member's read position (the last `seq` they have read), for whoever may read the conversation. */
/** The members fit one page (a conversation has at most a few hundred): `nextCursor` is always null, as lists end. */
export class GetReadReceipts extends Query<{ conversationId: number; items: Omit<ConversationReceiptPayload, 'conversationId'>[]; nextCursor: null }> {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    readonly viewerId: number,
  ) {
    super();
  }
}
