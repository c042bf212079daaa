/**
 * What the conversation commands publish after their transaction commits. The real-time layer
 * turns them into socket events; nothing the caller depends on happens in their handlers.
 */
import type { ConversationMemberPayload, ConversationMessagePayload } from '../../realtime/socket-events';

export interface MessageDelivery {
  message: ConversationMessagePayload;
  /** The members who receive it live. */
  userIds: readonly number[];
}

/** New messages (text or system), each with who receives it. */
export class ConversationMessagesPosted {
  constructor(
    readonly departmentId: number,
    readonly deliveries: readonly MessageDelivery[],
  ) {}
}

/** Members joined, left or were invited; `notifyUserIds` hear about it. */
export class ConversationMembersChanged {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    readonly changes: readonly Omit<ConversationMemberPayload, 'conversationId'>[],
    readonly notifyUserIds: readonly number[],
  ) {}
}

/** Users became members of these conversations; each gets `conversation:invited`, now or on their next connect. */
export class ConversationInvitationsIssued {
  constructor(
    readonly departmentId: number,
    readonly invitations: readonly { conversationId: number; userIds: readonly number[] }[],
  ) {}
}

/** The conversation became read-only. */
export class ConversationArchived {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    readonly userIds: readonly number[],
  ) {}
}

/** The sender edited or retracted a message; the members see it as it now reads. */
export class ConversationMessageChanged {
  constructor(
    readonly departmentId: number,
    readonly change: 'edited' | 'retracted',
    readonly message: ConversationMessagePayload,
    readonly userIds: readonly number[],
  ) {}
}

/** A member's read position moved forward; the other current members see the receipt. */
export class ConversationReadMoved {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    readonly userId: number,
    readonly seq: number,
    readonly notifyUserIds: readonly number[],
  ) {}
}

/** A member is typing; relayed to the other current members, never stored. */
export class ConversationTyping {
  constructor(
    readonly departmentId: number,
    readonly conversationId: number,
    readonly userId: number,
    readonly notifyUserIds: readonly number[],
  ) {}
}
