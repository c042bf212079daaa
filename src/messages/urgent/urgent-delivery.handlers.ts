import { Logger } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { SqlPool } from '../database/sql-pool';
import { UrgentRepository } from './urgent.repository';
import { OfflineNotifier } from '../push/offline-notifier';
import { MessagesGateway } from '../realtime/messages.gateway';
import { userRoom, userRooms } from '../realtime/rooms';
import { ConversationDeliveryChanged, ConversationRemindersSent, MailDeliveryChanged, MailSeen, RemindersSent } from './urgent.events';

@EventsHandler(MailDeliveryChanged)
export class MailDeliveryToSender implements IEventHandler<MailDeliveryChanged> {
  constructor(private readonly gateway: MessagesGateway) {}

  handle({ senderId, delivery }: MailDeliveryChanged) {
    this.gateway.server.to(userRoom(senderId)).emit('message:delivery', delivery);
  }
}

@EventsHandler(ConversationDeliveryChanged)
export class ConversationDeliveryToAuthor implements IEventHandler<ConversationDeliveryChanged> {
  constructor(private readonly gateway: MessagesGateway) {}

  handle({ authorId, delivery }: ConversationDeliveryChanged) {
    this.gateway.server.to(userRoom(authorId)).emit('conversation:delivery', delivery);
  }
}

@EventsHandler(RemindersSent)
export class RemindersDelivery implements IEventHandler<RemindersSent> {
  constructor(private readonly gateway: MessagesGateway) {}

  handle({ userIds, reminder }: RemindersSent) {
    if (userIds.length) this.gateway.server.to(userRooms(userIds)).emit('message:reminder', reminder);
  }
}

@EventsHandler(ConversationRemindersSent)
export class ConversationRemindersDelivery implements IEventHandler<ConversationRemindersSent> {
  constructor(private readonly gateway: MessagesGateway) {}

  handle({ userIds, reminder }: ConversationRemindersSent) {
    if (userIds.length) this.gateway.server.to(userRooms(userIds)).emit('conversation:reminder', reminder);
  }
}

/**
 * A message read or acknowledged on one device: a push with the message's topic and `clear`
 * reaches each of the member's devices that had been pushed it, whether or not they are online.
 */
@EventsHandler(MailSeen)
export class ClearSeenNotifications implements IEventHandler<MailSeen> {
  private readonly logger = new Logger('ClearSeenNotifications');

  constructor(
    private readonly sql: SqlPool,
    private readonly urgent: UrgentRepository,
    private readonly offline: OfflineNotifier,
  ) {}

  async handle({ departmentId, userId, messageIds }: MailSeen) {
    try {
      const pushed = await this.urgent.pushedMail(departmentId, userId, messageIds);
      if (!pushed.length) return;
      await this.sql.transaction(async (tx) => {
        for (const messageId of pushed) {
          await this.offline.enqueue(tx, departmentId, [userId], { kind: 'clear', title: '', preview: '', ids: { messageId } }, { evenWhenOnline: true });
        }
      });
    } catch (error) {
      this.logger.warn(`clearing notifications of user ${userId}: ${(error as Error).message}`);
    }
  }
}

export const UrgentDeliveryHandlers = [MailDeliveryToSender, ConversationDeliveryToAuthor, RemindersDelivery, ConversationRemindersDelivery, ClearSeenNotifications];
