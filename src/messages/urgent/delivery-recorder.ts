import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { SqlPool } from '../database/sql-pool';
import type { OfflineNotification } from '../push/offline-notifier';
import type { DeliveryChannel } from '../realtime/socket-events';
import { ConversationDeliveryChanged, MailDeliveryChanged } from './urgent.events';

const CHANNEL_COLUMN: Record<DeliveryChannel, string> = { socket: 'socket_at', push: 'push_at', email: 'email_at' };

/**
 * Writes when a channel first reached a recipient, one update each, and tells the sender. A
 * channel is recorded once: the first confirmation stands, repeats change nothing.
 */
@Injectable()
export class DeliveryRecorder {
  constructor(
    private readonly sql: SqlPool,
    private readonly events: EventBus,
  ) {}

  /** A department message reached `userId` by `channel`. Returns whether this was news. */
  async mailReached(departmentId: number, userId: number, messageId: number, channel: DeliveryChannel): Promise<boolean> {
    const column = CHANNEL_COLUMN[channel];
    const rows = await this.sql.query<{ sender_id: number; at: Date }>(
      `update mail_recipients r set ${column} = now()
         from mail_messages m
        where r.message_id = $1 and r.user_id = $2 and r.department_id = $3 and r.${column} is null and m.id = r.message_id
        returning m.sender_id, r.${column} as at`,
      [messageId, userId, departmentId],
    );
    for (const row of rows) {
      this.events.publish(
        new MailDeliveryChanged(departmentId, row.sender_id, { messageId, userId, state: 'reached', channel, at: row.at.toISOString() }),
      );
    }
    return rows.length > 0;
  }

  /** An urgent conversation message reached `userId` by `channel`. Returns whether this was news. */
  async conversationReached(departmentId: number, userId: number, conversationId: number, seq: number, channel: 'socket' | 'push'): Promise<boolean> {
    const column = CHANNEL_COLUMN[channel];
    const rows = await this.sql.query<{ sender_id: number; at: Date }>(
      `update conversation_message_acks a set ${column} = now()
         from conversation_messages m
        where a.conversation_id = $1 and a.seq = $2 and a.user_id = $3 and a.department_id = $4 and a.${column} is null
          and m.conversation_id = a.conversation_id and m.seq = a.seq
        returning m.sender_id, a.${column} as at`,
      [conversationId, seq, userId, departmentId],
    );
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
    const [device] = await this.sql.query<{ user_id: number; department_id: number }>(
      'select user_id, department_id from push_subscriptions where id = $1',
      [subscriptionId],
    );
    if (!device) return;
    const { messageId, conversationId, seq } = payload.ids;
    if (payload.kind === 'message' && messageId) await this.mailReached(device.department_id, device.user_id, messageId, 'push');
    if (payload.kind === 'conversation-message' && conversationId && seq) {
      await this.conversationReached(device.department_id, device.user_id, conversationId, seq, 'push');
    }
  }
}
