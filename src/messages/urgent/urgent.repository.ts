import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { SqlPool } from '../database/sql-pool';
import { PresenceService } from '../presence/presence.service';
import type { DeliveryChannel } from '../realtime/socket-events';
import type { RecipientDeliveryState } from './dto/delivery-views';
import type { EscalationPlan } from './dto/urgent.dto';

/** A channel's first reach is written to its own column; each column gets its own statement. */
const mailReached = (column: string) => `update mail_recipients r set ${column} = now()
         from mail_messages m
        where r.message_id = $1 and r.user_id = $2 and r.department_id = $3 and r.${column} is null and m.id = r.message_id
        returning m.sender_id, r.${column} as at`;

const conversationReached = (column: string) => `update conversation_message_acks a set ${column} = now()
         from conversation_messages m
        where a.conversation_id = $1 and a.seq = $2 and a.user_id = $3 and a.department_id = $4 and a.${column} is null
          and m.conversation_id = a.conversation_id and m.seq = a.seq
        returning m.sender_id, a.${column} as at`;

/**
 * Every statement of urgent delivery (who was reached by which channel, acknowledgements, the
 * escalation steps, the email channel), written once; the snapshot test keeps their text.
 */
export const URGENT_SQL = {
  mailReachedBySocket: mailReached('socket_at'),
  mailReachedByPush: mailReached('push_at'),
  mailReachedByEmail: mailReached('email_at'),
  conversationReachedBySocket: conversationReached('socket_at'),
  conversationReachedByPush: conversationReached('push_at'),
  pushDevice: 'select user_id, department_id from push_subscriptions where id = $1',
  /** Which of the messages given were pushed to the member, so their devices can clear them. */
  pushedMail: `select message_id from mail_recipients
          where user_id = $1 and department_id = $2 and message_id = any($3::int[]) and push_at is not null`,
  /** The message to email a recipient about, while they have neither acknowledged it nor been emailed. */
  emailDue: `select m.department_id, m.subject, m.body, m.sender_name from mail_recipients r join mail_messages m on m.id = r.message_id
        where r.message_id = $1 and r.user_id = $2 and r.acknowledged_at is null and r.email_at is null`,
  keepConversationPlan: 'update conversation_messages set escalation = $3 where conversation_id = $1 and seq = $2',
  /** One acknowledgement row per member an urgent conversation line must reach. */
  recordConversationRecipients: `insert into conversation_message_acks (conversation_id, seq, user_id, department_id)
     select $1, $2, u.id, $3 from unnest($4::int[]) as u(id)`,
  acknowledgeConversationMessage: `update conversation_message_acks a set acknowledged_at = coalesce(a.acknowledged_at, now())
         from conversation_message_acks before, conversation_messages m
        where before.conversation_id = a.conversation_id and before.seq = a.seq and before.user_id = a.user_id
          and m.conversation_id = a.conversation_id and m.seq = a.seq
          and a.conversation_id = $1 and a.seq = $2 and a.user_id = $3 and a.department_id = $4
        returning a.acknowledged_at, before.acknowledged_at is null as fresh, m.sender_id`,
  authoredLinePriority: 'select priority from conversation_messages where conversation_id = $1 and seq = $2 and department_id = $3 and sender_id = $4',
  conversationDelivery: `select a.user_id, m.user_name as name, a.socket_at, a.push_at, a.acknowledged_at,
              coalesce(m.last_read_seq >= a.seq, false) as read,
              case when a.acknowledged_at is not null then 'acknowledged'
                   when m.last_read_seq >= a.seq then 'read'
                   when a.socket_at is not null or a.push_at is not null then 'reached'
                   when ${PresenceService.onlineCondition('a.user_id', '$3')}
                     or exists (select 1 from push_subscriptions s where s.department_id = a.department_id and s.user_id = a.user_id) then 'pending'
                   else 'unreachable' end as state
         from conversation_message_acks a
         left join conversation_members m on m.conversation_id = a.conversation_id and m.user_id = a.user_id
        where a.conversation_id = $1 and a.seq = $2
        order by a.user_id`,
  lockEscalatedMail: `select department_id as "departmentId", sender_id as "authorId", sender_name as "authorName", subject,
              created_at as "createdAt", escalation as plan, escalation_step as step, coalesce(expires_at <= now(), false) as over
         from mail_messages where id = $1 for update`,
  recordMailStep: 'update mail_messages set escalation_step = $2 where id = $1',
  unacknowledgedMail: 'select user_id from mail_recipients where message_id = $1 and acknowledged_at is null order by user_id',
  lockEscalatedLine: `select m.department_id as "departmentId", m.sender_id as "authorId", m.sender_name as "authorName", m.body,
              m.created_at as "createdAt", m.escalation as plan, m.escalation_step as step, m.retracted_at is not null as over,
              c.title, c.kind
         from conversation_messages m join conversations c on c.id = m.conversation_id
        where m.conversation_id = $1 and m.seq = $2 for update of m`,
  recordLineStep: 'update conversation_messages set escalation_step = $3 where conversation_id = $1 and seq = $2',
  unacknowledgedLine: 'select user_id from conversation_message_acks where conversation_id = $1 and seq = $2 and acknowledged_at is null order by user_id',
};

const MAIL_REACHED: Record<DeliveryChannel, string> = {
  socket: URGENT_SQL.mailReachedBySocket,
  push: URGENT_SQL.mailReachedByPush,
  email: URGENT_SQL.mailReachedByEmail,
};
const CONVERSATION_REACHED: Record<'socket' | 'push', string> = {
  socket: URGENT_SQL.conversationReachedBySocket,
  push: URGENT_SQL.conversationReachedByPush,
};

export interface Reached {
  sender_id: number;
  at: Date;
}

export interface ConversationDeliveryRow {
  user_id: number;
  name: string | null;
  state: RecipientDeliveryState;
  socket_at: Date | null;
  push_at: Date | null;
  read: boolean;
  acknowledged_at: Date | null;
}

export interface EmailDueRow {
  department_id: number;
  subject: string;
  body: string;
  sender_name: string;
}

/**
 * One acknowledgement row per member an urgent conversation message must reach, in one
 * statement; the line keeps its escalation plan, if any, for the reminder steps to read.
 */
export async function recordUrgentRecipients(
  tx: PoolClient,
  departmentId: number,
  conversationId: number,
  seq: number,
  userIds: readonly number[],
  plan: EscalationPlan | null = null,
) {
  if (!userIds.length) return;
  if (plan) await tx.query(URGENT_SQL.keepConversationPlan, [conversationId, seq, plan]);
  await tx.query(URGENT_SQL.recordConversationRecipients, [conversationId, seq, departmentId, userIds]);
}

/** Urgent delivery's reads and writes on the pool. */
@Injectable()
export class UrgentRepository {
  constructor(private readonly sql: SqlPool) {}

  /** Rows only when this was the channel's first reach of the recipient. */
  mailReached(departmentId: number, userId: number, messageId: number, channel: DeliveryChannel): Promise<Reached[]> {
    return this.sql.query<Reached>(MAIL_REACHED[channel], [messageId, userId, departmentId]);
  }

  conversationReached(departmentId: number, userId: number, conversationId: number, seq: number, channel: 'socket' | 'push'): Promise<Reached[]> {
    return this.sql.query<Reached>(CONVERSATION_REACHED[channel], [conversationId, seq, userId, departmentId]);
  }

  async pushDevice(subscriptionId: number): Promise<{ user_id: number; department_id: number } | undefined> {
    const [device] = await this.sql.query<{ user_id: number; department_id: number }>(URGENT_SQL.pushDevice, [subscriptionId]);
    return device;
  }

  async pushedMail(departmentId: number, userId: number, messageIds: readonly number[]): Promise<number[]> {
    const rows = await this.sql.query<{ message_id: number }>(URGENT_SQL.pushedMail, [userId, departmentId, messageIds]);
    return rows.map((r) => r.message_id);
  }

  async emailDue(messageId: number, userId: number): Promise<EmailDueRow | undefined> {
    const [row] = await this.sql.query<EmailDueRow>(URGENT_SQL.emailDue, [messageId, userId]);
    return row;
  }

  async acknowledgeConversationMessage(departmentId: number, userId: number, conversationId: number, seq: number) {
    const [row] = await this.sql.query<{ acknowledged_at: Date; fresh: boolean; sender_id: number }>(URGENT_SQL.acknowledgeConversationMessage, [
      conversationId,
      seq,
      userId,
      departmentId,
    ]);
    return row;
  }

  async authoredLinePriority(departmentId: number, authorId: number, conversationId: number, seq: number): Promise<string | undefined> {
    const [row] = await this.sql.query<{ priority: string }>(URGENT_SQL.authoredLinePriority, [conversationId, seq, departmentId, authorId]);
    return row?.priority;
  }

  conversationDelivery(conversationId: number, seq: number, staleAfterSeconds: number): Promise<ConversationDeliveryRow[]> {
    return this.sql.query<ConversationDeliveryRow>(URGENT_SQL.conversationDelivery, [conversationId, seq, staleAfterSeconds]);
  }
}
