import { Logger } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { ConversationStore } from '../conversations/conversation.store';
import {
  ConversationArchived,
  ConversationInvitationsIssued,
  ConversationMembersChanged,
  ConversationMessageChanged,
  ConversationMessagesPosted,
  ConversationReadMoved,
  ConversationTyping,
} from '../conversations/events/conversation.events';
import { MessageSent, UnreadChanged } from '../events/mail.events';
import { MessagesGateway } from './messages.gateway';
import { userRoom, userRooms } from './rooms';

/*
 * Committed changes become socket events. Each goes to the user rooms of the people concerned;
 * with the Redis adapter the other processes deliver to their own sockets.
 */

@EventsHandler(ConversationMessagesPosted)
export class ConversationMessagesDelivery implements IEventHandler<ConversationMessagesPosted> {
  constructor(private readonly gateway: MessagesGateway) {}

  handle({ deliveries }: ConversationMessagesPosted) {
    for (const { message, userIds } of deliveries) {
      if (userIds.length) this.gateway.server.to(userRooms(userIds)).emit('conversation:message', message);
    }
  }
}

@EventsHandler(ConversationMembersChanged)
export class ConversationMembersDelivery implements IEventHandler<ConversationMembersChanged> {
  constructor(private readonly gateway: MessagesGateway) {}

  handle({ conversationId, changes, notifyUserIds }: ConversationMembersChanged) {
    if (!notifyUserIds.length) return;
    const to = this.gateway.server.to(userRooms(notifyUserIds));
    for (const change of changes) to.emit('conversation:member', { conversationId, ...change });
  }
}

@EventsHandler(ConversationArchived)
export class ConversationArchivedDelivery implements IEventHandler<ConversationArchived> {
  constructor(private readonly gateway: MessagesGateway) {}

  handle({ conversationId, userIds }: ConversationArchived) {
    if (userIds.length) this.gateway.server.to(userRooms(userIds)).emit('conversation:archived', { conversationId });
  }
}

/**
 * Each invitee gets the conversation as they see it. Those with a live socket now have it;
 * the others stay pending and get it on their next connect (the gateway does that).
 */
@EventsHandler(ConversationInvitationsIssued)
export class InvitationsDelivery implements IEventHandler<ConversationInvitationsIssued> {
  private readonly logger = new Logger('InvitationsDelivery');

  constructor(
    private readonly gateway: MessagesGateway,
    private readonly store: ConversationStore,
  ) {}

  async handle({ departmentId, invitations }: ConversationInvitationsIssued) {
    try {
      const pairs = invitations.flatMap((i) => i.userIds.map((userId) => ({ conversationId: i.conversationId, userId })));
      const invitees = [...new Set(pairs.map((p) => p.userId))];
      const connected = await this.gateway.connectedAmong(invitees);
      const claimed = await this.store.claimPendingInvitations({ pairs: pairs.filter((p) => connected.has(p.userId)) });
      if (!claimed.length) return;
      const summaries = await this.store.summariesFor(departmentId, claimed);
      for (const { userId, conversation } of summaries) this.gateway.server.to(userRoom(userId)).emit('conversation:invited', conversation);
    } catch (error) {
      this.logger.error(`invitation delivery failed: ${(error as Error).message}`);
    }
  }
}

@EventsHandler(MessageSent)
export class MailDelivery implements IEventHandler<MessageSent> {
  constructor(private readonly gateway: MessagesGateway) {}

  handle({ recipientIds, item }: MessageSent) {
    if (recipientIds.length) this.gateway.server.to(userRooms(recipientIds)).emit('message:new', item);
  }
}

@EventsHandler(UnreadChanged)
export class UnreadCountDelivery implements IEventHandler<UnreadChanged> {
  private readonly logger = new Logger('UnreadCountDelivery');

  constructor(private readonly gateway: MessagesGateway) {}

  async handle({ departmentId, userIds }: UnreadChanged) {
    await this.gateway.pushUnreadCounts(departmentId, userIds).catch((error: Error) => this.logger.error(`unread counts: ${error.message}`));
  }
}

@EventsHandler(ConversationMessageChanged)
export class ConversationMessageChangeDelivery implements IEventHandler<ConversationMessageChanged> {
  constructor(private readonly gateway: MessagesGateway) {}

  handle({ change, message, userIds }: ConversationMessageChanged) {
    if (userIds.length) this.gateway.server.to(userRooms(userIds)).emit(change === 'edited' ? 'conversation:edited' : 'conversation:retracted', message);
  }
}

@EventsHandler(ConversationReadMoved)
export class ReadReceiptDelivery implements IEventHandler<ConversationReadMoved> {
  constructor(private readonly gateway: MessagesGateway) {}

  handle({ conversationId, userId, seq, notifyUserIds }: ConversationReadMoved) {
    if (notifyUserIds.length) this.gateway.server.to(userRooms(notifyUserIds)).emit('conversation:receipt', { conversationId, userId, seq });
  }
}

@EventsHandler(ConversationTyping)
export class TypingDelivery implements IEventHandler<ConversationTyping> {
  constructor(private readonly gateway: MessagesGateway) {}

  handle({ conversationId, userId, notifyUserIds }: ConversationTyping) {
    // Volatile: a typing hint that cannot be delivered now is worthless later.
    if (notifyUserIds.length) this.gateway.server.to(userRooms(notifyUserIds)).volatile.emit('conversation:typing', { conversationId, userId });
  }
}

export const DeliveryHandlers = [
  ConversationMessageChangeDelivery,
  ReadReceiptDelivery,
  TypingDelivery,
  ConversationMessagesDelivery,
  ConversationMembersDelivery,
  ConversationArchivedDelivery,
  InvitationsDelivery,
  MailDelivery,
  UnreadCountDelivery,
];
