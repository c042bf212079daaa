/**
 * Events the mail side publishes after its transaction commits. The real-time layer turns them
 * into socket events; nothing that must succeed for the caller happens in their handlers.
 */
import type { InboxItem } from '../realtime/socket-events';

/** A department message reached `recipientIds`; `item` is what each of them sees in the inbox. */
export class MessageSent {
  constructor(
    readonly departmentId: number,
    readonly senderId: number,
    readonly recipientIds: readonly number[],
    readonly item: InboxItem,
  ) {}
}

/** The unread set of these users changed (read, deleted, expired, new): their counters need refreshing. */
export class UnreadChanged {
  constructor(
    readonly departmentId: number,
    readonly userIds: readonly number[],
  ) {}
}
