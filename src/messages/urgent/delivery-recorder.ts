import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { OfflineNotification } from '../push/offline-notifier';
import type { DeliveryChannel } from '../realtime/socket-events';
import { ConversationDeliveryChanged, MailDeliveryChanged } from './urgent.events';
import { UrgentRepository } from './urgent.repository';

/**
 * Writes when a channel first reached a recipient, one update each, and tells the sender. A
 * channel is recorded once: the first confirmation stands, repeats change nothing.
 */
@Injectable()
export class DeliveryRecorder {
  constructor(
    private readonly urgent: UrgentRepository,
    private readonly events: EventBus,
  ) {}

  /** A department message reached `userId` by `channel`. Returns whether this was news. */
  async mailReached(departmentId: number, userId: number, messageId: number, channel: DeliveryChannel): Promise<boolean> {
    const rows = await this.urgent.mailReached(departmentId, userId, messageId, channel);
    for (const row of rows) {
      this.events.publish(
        new MailDeliveryChanged(departmentId, row.sender_id, { messageId, userId, state: 'reached', channel, at: row.at.toISOString() }),
      );
    }
    return rows.length > 0;
  }

  /** An urgent conversation message reached `userId` by `channel`. Returns whether this was news. */
  async conversationReached(departmentId: number, userId: number, conversationId: number, seq: number, channel: 'socket' | 'push'): Promise<boolean> {
    const rows = await this.urgent.conversationReached(departmentId, userId, conversationId, seq, channel);
    for (const row of rows) {
      this.events.publish(
        new ConversationDeliveryChanged(departmentId, row.sender_id, { conversationId, seq, userId, state: 'reached', channel, at: row.at.toISOString() }),
      );
    }
    return rows.length > 0;
  }

  /** The push service accepted a push for a device: its member was reached by push. */
  async pushAccepted(eventId: number, subscriptionId: number, payload: OfflineNotification): Promise<void> {
    if (payload.kind !== 'message' && payload.kind !== 'conversation-message') return;
    const device = await this.urgent.pushDevice(subscriptionId);
    if (!device) return;
    const { messageId, conversationId, seq } = payload.ids;
    if (payload.kind === 'message' && messageId) await this.mailReached(device.department_id, device.user_id, messageId, 'push');
    if (payload.kind === 'conversation-message' && conversationId && seq) {
      await this.conversationReached(device.department_id, device.user_id, conversationId, seq, 'push');
    }
  }
}
