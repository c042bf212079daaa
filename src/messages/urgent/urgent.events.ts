/**
 * What the urgent-message commands and workers publish after their transaction commits; the
 * handlers turn them into socket events and pushes that clear a notification.
 */
import type { ConversationDeliveryPayload, ConversationReminderPayload, MessageDeliveryPayload, MessageReminderPayload } from '../realtime/socket-events';

/** A recipient's state changed; the sender's sockets hear of it. */
export class MailDeliveryChanged {
  constructor(
    readonly departmentId: number,
    readonly senderId: number,
    readonly delivery: MessageDeliveryPayload,
  ) {}
}

/** The same for an urgent conversation message; its author hears of it. */
export class ConversationDeliveryChanged {
  constructor(
    readonly departmentId: number,
    readonly authorId: number,
    readonly delivery: ConversationDeliveryPayload,
  ) {}
}

/** These people were reminded of a message they have not acknowledged. */
export class RemindersSent {
  constructor(
    readonly departmentId: number,
    readonly userIds: readonly number[],
    readonly reminder: MessageReminderPayload,
  ) {}
}

/** These members were reminded of an urgent conversation line they have not acknowledged. */
export class ConversationRemindersSent {
  constructor(
    readonly departmentId: number,
    readonly userIds: readonly number[],
    readonly reminder: ConversationReminderPayload,
  ) {}
}

/**
 * `userId` read or acknowledged these messages somewhere: the notifications still shown on their
 * other devices go (a push that clears them, only where a push had arrived).
 */
export class MailSeen {
  constructor(
    readonly departmentId: number,
    readonly userId: number,
    readonly messageIds: readonly number[],
  ) {}
}
