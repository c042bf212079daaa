import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type PgBoss from 'pg-boss';
import type { PoolClient } from 'pg';
import { SqlPool } from '../../database/sql-pool';
import { DepartmentDirectory } from '../../directory/department-directory';
import { MessageSent, UnreadChanged } from '../../events/mail.events';
import { newInboxItem, writeMail, type NewMail } from '../../mail/mail-writer';
import { sanitizeBody } from '../../mail/sanitize-body';
import { OfflineNotifier } from '../../push/offline-notifier';
import { PushQueue } from '../../push/push-queue';
import { DeliveryRecorder } from '../delivery-recorder';
import type { EscalationPlan } from '../dto/urgent.dto';
import { AckLinks } from '../email/ack-link';
import { UrgentMailer } from '../email/urgent-mailer';
import { RemindersSent } from '../urgent.events';
import { URGENT_EMAIL_QUEUE, URGENT_REMINDER_QUEUE, type EmailJob, type ReminderJob } from './escalation-queues';

/** The escalation message comes from the system, not from a member. */
export const ESCALATION_SENDER_ID = 0;
export const ESCALATION_SENDER_NAME = 'Escalation';

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface UrgentRow {
  department_id: number;
  sender_id: number;
  sender_name: string;
  subject: string;
  created_at: Date;
  escalation: EscalationPlan | null;
  escalation_step: number;
  expired: boolean;
}

type StepOutcome =
  | { kind: 'none' }
  | { kind: 'reminded'; departmentId: number; userIds: number[]; reminder: number; of: number; subject: string; senderName: string; emails: boolean }
  | { kind: 'escalated'; mail: NewMail; id: number; createdAt: Date };

/**
 * Works the reminders of urgent messages. Each step is one job; its transaction locks the
 * message, checks that the step has not run (`escalation_step`), reminds those who have not
 * acknowledged, and queues the next step, so a retried or doubled job changes nothing and a
 * restart loses no step. After the last reminder it sends the escalation message.
 */
@Injectable()
export class EscalationWorker implements OnApplicationBootstrap {
  constructor(
    private readonly queue: PushQueue,
    private readonly sql: SqlPool,
    private readonly offline: OfflineNotifier,
    private readonly directory: DepartmentDirectory,
    private readonly mailer: UrgentMailer,
    private readonly links: AckLinks,
    private readonly record: DeliveryRecorder,
    private readonly events: EventBus,
  ) {}

  async onApplicationBootstrap() {
    await this.queue.addQueue(URGENT_REMINDER_QUEUE);
    await this.queue.addQueue(URGENT_EMAIL_QUEUE);
    await this.queue.work<ReminderJob>(URGENT_REMINDER_QUEUE, 4, (job) => this.runStep(job.data.messageId, job.data.step));
    await this.queue.work<EmailJob>(URGENT_EMAIL_QUEUE, 10, (job) => this.email(job));
  }

  async runStep(messageId: number, step: number): Promise<void> {
    const outcome = await this.sql.transaction<StepOutcome>(async (tx) => {
      const { rows } = await tx.query<UrgentRow>(
        `select department_id, sender_id, sender_name, subject, created_at, escalation, escalation_step,
                coalesce(expires_at <= now(), false) as expired
           from mail_messages where id = $1 for update`,
        [messageId],
      );
      const message = rows[0];
      // Done before (a retry, another process), or nothing to escalate.
      if (!message?.escalation || message.escalation_step >= step || message.expired) return { kind: 'none' };
      await tx.query('update mail_messages set escalation_step = $2 where id = $1', [messageId, step]);
      const plan = message.escalation;
      const pending = await tx.query<{ user_id: number }>(
        'select user_id from mail_recipients where message_id = $1 and acknowledged_at is null order by user_id',
        [messageId],
      );
      const userIds = pending.rows.map((r) => r.user_id);
      if (!userIds.length) return { kind: 'none' };
      if (step <= plan.repeats) return this.remind(tx, messageId, message, plan, step, userIds);
      return this.escalate(tx, messageId, message, plan, userIds);
    });

    if (outcome.kind === 'reminded') {
      this.events.publish(
        new RemindersSent(outcome.departmentId, outcome.userIds, {
          messageId,
          subject: outcome.subject,
          senderName: outcome.senderName,
          reminder: step,
          of: outcome.of,
        }),
      );
      if (outcome.emails) this.queue.wake(URGENT_EMAIL_QUEUE);
    } else if (outcome.kind === 'escalated') {
      const { mail, id, createdAt } = outcome;
      this.events.publish(new MessageSent(mail.departmentId, mail.senderId, mail.recipientIds, newInboxItem(mail, id, createdAt)));
      this.events.publish(new UnreadChanged(mail.departmentId, mail.recipientIds));
    }
  }

  private async remind(
    tx: PoolClient,
    messageId: number,
    message: UrgentRow,
    plan: EscalationPlan,
    step: number,
    userIds: number[],
  ): Promise<StepOutcome> {
    // A push with the message's topic: it replaces the earlier one on the device.
    await this.offline.enqueue(tx, message.department_id, userIds, {
      kind: 'message',
      title: `Reminder: ${message.subject}`,
      preview: `Urgent, from ${message.sender_name}: please acknowledge`,
      ids: { messageId },
      urgent: true,
      reminder: step,
    });
    const emails = step === 1 && this.mailer.enabled;
    if (emails) {
      await this.queue.insertMany(tx, URGENT_EMAIL_QUEUE, userIds.map((userId) => ({ messageId, userId }) satisfies EmailJob));
    }
    await this.queue.send(tx, URGENT_REMINDER_QUEUE, { messageId, step: step + 1 } satisfies ReminderJob, {
      startAfterSeconds: plan.repeatEverySeconds,
    });
    return {
      kind: 'reminded',
      departmentId: message.department_id,
      userIds,
      reminder: step,
      of: plan.repeats,
      subject: message.subject,
      senderName: message.sender_name,
      emails,
    };
  }

  /** The urgent message to the people named (and the sender), naming who has not acknowledged. */
  private async escalate(
    tx: PoolClient,
    messageId: number,
    message: UrgentRow,
    plan: EscalationPlan,
    userIds: number[],
  ): Promise<StepOutcome> {
    const departmentId = message.department_id;
    const [named, roleHolders, missing] = await Promise.all([
      plan.notifyUserIds.length ? this.directory.activeMemberIds(departmentId, plan.notifyUserIds) : [],
      plan.notifyRoleIds.length ? this.directory.selectMemberIds(departmentId, { roleIds: plan.notifyRoleIds, groupAndRole: false }) : [],
      this.directory.members(departmentId, userIds),
    ]);
    const recipientIds = [...new Set([message.sender_id, ...named, ...roleHolders])].sort((a, b) => a - b);
    const names = new Map(missing.map((m) => [m.id, m.name]));
    const list = userIds.map((id) => `<li>${escapeHtml(names.get(id) ?? `Member ${id}`)}</li>`).join('');
    const mail: NewMail = {
      departmentId,
      senderId: ESCALATION_SENDER_ID,
      senderName: ESCALATION_SENDER_NAME,
      subject: `Not acknowledged: ${message.subject}`.slice(0, 200),
      body: sanitizeBody(
        `<p>${userIds.length} of the recipients of the urgent message "${escapeHtml(message.subject)}" from ${escapeHtml(message.sender_name)} ` +
          `(sent ${message.created_at.toISOString()}, message ${messageId}) did not acknowledge it after ${plan.repeats} reminders:</p><ul>${list}</ul>`,
      ),
      type: 'alert',
      priority: 'urgent',
      expiresAt: null,
      idempotencyKey: null,
      escalation: null,
      recipientIds,
    };
    const written = await writeMail(tx, this.offline, mail);
    return { kind: 'escalated', mail, id: written!.id, createdAt: written!.createdAt };
  }

  /** One recipient's email with the one-click acknowledgement; skipped once they acknowledged or were emailed. */
  async email(job: PgBoss.JobWithMetadata<EmailJob>): Promise<void> {
    const { messageId, userId } = job.data;
    const [row] = await this.sql.query<{ department_id: number; subject: string; body: string; sender_name: string }>(
      `select m.department_id, m.subject, m.body, m.sender_name from mail_recipients r join mail_messages m on m.id = r.message_id
        where r.message_id = $1 and r.user_id = $2 and r.acknowledged_at is null and r.email_at is null`,
      [messageId, userId],
    );
    if (!row) return;
    const [address] = await this.directory.emailAddresses(row.department_id, [userId]);
    if (!address) return;
    const link = this.links.linkFor(messageId, row.department_id, userId);
    await this.mailer.send({
      to: address.email,
      subject: `Urgent: ${row.subject}`,
      text: `${row.sender_name} sent you an urgent message that you have not acknowledged yet.\n\n${row.subject}\n\nAcknowledge it: ${link}\n`,
      html:
        `<p>${escapeHtml(row.sender_name)} sent you an urgent message that you have not acknowledged yet.</p>` +
        `<h2>${escapeHtml(row.subject)}</h2>${row.body}<p><a href="${escapeHtml(link)}">Acknowledge</a></p>`,
    });
    await this.record.mailReached(row.department_id, userId, messageId, 'email');
  }
}
