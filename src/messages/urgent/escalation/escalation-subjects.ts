import type { PoolClient } from 'pg';
import type { OfflineNotification } from '../../push/offline-notifier';
import type { EscalationPlan } from '../dto/urgent.dto';
import { ConversationRemindersSent, RemindersSent } from '../urgent.events';
import { URGENT_SQL } from '../urgent.repository';
import type { EscalationRef } from './escalation-queues';

export const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** What every escalated thing has, read under its row lock. */
export interface EscalatedRow {
  departmentId: number;
  authorId: number;
  authorName: string;
  createdAt: Date;
  plan: EscalationPlan | null;
  /** The last step that ran. */
  step: number;
  /** Expired or retracted: nobody is reminded of it any more. */
  over: boolean;
}

/**
 * The two kinds of thing an escalation is about, seen the same way by the worker: where its
 * row and step live, who has not acknowledged it, and how a reminder and the escalation message
 * speak of it.
 */
export interface EscalationSubject<Row extends EscalatedRow = EscalatedRow> {
  readonly ref: EscalationRef;
  lock(tx: PoolClient): Promise<Row | undefined>;
  recordStep(tx: PoolClient, step: number): Promise<void>;
  unacknowledged(tx: PoolClient): Promise<number[]>;
  reminderPush(row: Row, step: number): OfflineNotification;
  remindersSent(row: Row, userIds: number[], step: number): RemindersSent | ConversationRemindersSent;
  /** The escalation message's subject, and who missed what, up to "did not acknowledge it". */
  escalation(row: Row, missing: number): { subject: string; intro: string };
}

interface MailRow extends EscalatedRow {
  subject: string;
}

class MailSubject implements EscalationSubject<MailRow> {
  constructor(readonly ref: { messageId: number }) {}

  async lock(tx: PoolClient): Promise<MailRow | undefined> {
    const { rows } = await tx.query<MailRow>(URGENT_SQL.lockEscalatedMail, [this.ref.messageId]);
    return rows[0];
  }

  async recordStep(tx: PoolClient, step: number) {
    await tx.query(URGENT_SQL.recordMailStep, [this.ref.messageId, step]);
  }

  async unacknowledged(tx: PoolClient) {
    const { rows } = await tx.query<{ user_id: number }>(URGENT_SQL.unacknowledgedMail, [this.ref.messageId]);
    return rows.map((r) => r.user_id);
  }

  reminderPush(row: MailRow, step: number): OfflineNotification {
    // The message's topic: it replaces the earlier push on the device.
    return {
      kind: 'message',
      title: `Reminder: ${row.subject}`,
      preview: `Urgent, from ${row.authorName}: please acknowledge`,
      ids: { messageId: this.ref.messageId },
      urgent: true,
      reminder: step,
    };
  }

  remindersSent(row: MailRow, userIds: number[], step: number) {
    const { messageId } = this.ref;
    return new RemindersSent(row.departmentId, userIds, { messageId, subject: row.subject, senderName: row.authorName, reminder: step, of: row.plan!.repeats });
  }

  escalation(row: MailRow, missing: number) {
    return {
      subject: `Not acknowledged: ${row.subject}`,
      intro:
        `${missing} of the recipients of the urgent message "${escapeHtml(row.subject)}" from ${escapeHtml(row.authorName)} ` +
        `(sent ${row.createdAt.toISOString()}, message ${this.ref.messageId})`,
    };
  }
}

interface ConversationLineRow extends EscalatedRow {
  title: string;
  kind: string;
  body: string;
}

/** One urgent line of a conversation; its members acknowledge it in `conversation_message_acks`. */
class ConversationLineSubject implements EscalationSubject<ConversationLineRow> {
  constructor(readonly ref: { conversationId: number; seq: number }) {}

  async lock(tx: PoolClient): Promise<ConversationLineRow | undefined> {
    const { rows } = await tx.query<ConversationLineRow>(URGENT_SQL.lockEscalatedLine, [this.ref.conversationId, this.ref.seq]);
    return rows[0];
  }

  async recordStep(tx: PoolClient, step: number) {
    await tx.query(URGENT_SQL.recordLineStep, [
      this.ref.conversationId,
      this.ref.seq,
      step,
    ]);
  }

  async unacknowledged(tx: PoolClient) {
    const { rows } = await tx.query<{ user_id: number }>(URGENT_SQL.unacknowledgedLine, [this.ref.conversationId, this.ref.seq]);
    return rows.map((r) => r.user_id);
  }

  reminderPush(row: ConversationLineRow, step: number): OfflineNotification {
    // The conversation's topic: it replaces the earlier push on the device.
    return {
      kind: 'conversation-message',
      title: `Reminder: ${row.kind === 'direct' ? row.authorName : row.title}`,
      preview: `Urgent, from ${row.authorName}: please acknowledge${row.body ? `: ${row.body}` : ''}`,
      ids: { conversationId: this.ref.conversationId, seq: this.ref.seq },
      urgent: true,
      reminder: step,
    };
  }

  remindersSent(row: ConversationLineRow, userIds: number[], step: number) {
    return new ConversationRemindersSent(row.departmentId, userIds, { ...this.ref, reminder: step, of: row.plan!.repeats });
  }

  escalation(row: ConversationLineRow, missing: number) {
    const line = row.body ? `"${row.body.length > 200 ? `${row.body.slice(0, 199)}…` : row.body}"` : 'without text';
    return {
      subject: `Not acknowledged in ${row.title}: ${row.body || `line ${this.ref.seq}`}`,
      intro:
        `${missing} of the members of the conversation "${escapeHtml(row.title)}" (conversation ${this.ref.conversationId}) ` +
        `who got the urgent line ${escapeHtml(line)} from ${escapeHtml(row.authorName)} (sent ${row.createdAt.toISOString()}, line ${this.ref.seq})`,
    };
  }
}

export function escalationSubject(ref: EscalationRef): EscalationSubject {
  return 'conversationId' in ref ? new ConversationLineSubject(ref) : new MailSubject(ref);
}
