import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type PgBoss from 'pg-boss';
import type { UnreadChange } from '../../mail/unread/unread-state.repository';
import type { PoolClient } from 'pg';
import { SqlPool } from '../../database/sql-pool';
import { UrgentRepository } from '../urgent.repository';
import { DepartmentDirectory } from '../../directory/department-directory';
import { MessageSent, UnreadChanged } from '../../events/mail.events';
import { MailWriter, newInboxItem, type NewMail } from '../../mail/mail-writer';
import { UnreadVersions } from '../../mail/unread/unread-versions';
import { sanitizeBody } from '../../mail/sanitize-body';
import { OfflineNotifier } from '../../push/offline-notifier';
import { PushQueue } from '../../push/push-queue';
import { DeliveryRecorder } from '../delivery-recorder';
import { AckLinks } from '../email/ack-link';
import { UrgentMailer } from '../email/urgent-mailer';
import type { ConversationRemindersSent, RemindersSent } from '../urgent.events';
import { refOf, URGENT_EMAIL_QUEUE, URGENT_REMINDER_QUEUE, type EmailJob, type EscalationRef, type ReminderJob } from './escalation-queues';
import { escalationSubject, escapeHtml, type EscalatedRow, type EscalationSubject } from './escalation-subjects';

/** The escalation message comes from the system, not from a member. */
export const ESCALATION_SENDER_ID = 0;
export const ESCALATION_SENDER_NAME = 'Escalation';

type StepOutcome =
  | { kind: 'none' }
  | { kind: 'reminded'; event: RemindersSent | ConversationRemindersSent; emails: boolean }
  | { kind: 'escalated'; mail: NewMail; id: number; createdAt: Date; unread: UnreadChange | null };

/**
 * Works the reminders of urgent department messages and urgent conversation lines alike (see
 * `escalation-subjects.ts` for what differs). Each step is one job; its transaction locks the
 * subject's row, checks that the step has not run (`escalation_step`), reminds those who have
 * not acknowledged, and queues the next step, so a retried or doubled job changes nothing and a
 * restart loses no step. After the last reminder it sends the escalation message.
 */
@Injectable()
export class EscalationWorker implements OnApplicationBootstrap {
  constructor(
    private readonly queue: PushQueue,
    private readonly sql: SqlPool,
    private readonly urgent: UrgentRepository,
    private readonly offline: OfflineNotifier,
    private readonly directory: DepartmentDirectory,
    private readonly mailer: UrgentMailer,
    private readonly links: AckLinks,
    private readonly record: DeliveryRecorder,
    private readonly events: EventBus,
    private readonly writer: MailWriter,
    private readonly versions: UnreadVersions,
  ) {}

  async onApplicationBootstrap() {
    await this.queue.addQueue(URGENT_REMINDER_QUEUE);
    await this.queue.addQueue(URGENT_EMAIL_QUEUE);
    await this.queue.work<ReminderJob>(URGENT_REMINDER_QUEUE, 4, (job) => this.runStep(refOf(job.data), job.data.step));
    await this.queue.work<EmailJob>(URGENT_EMAIL_QUEUE, 10, (job) => this.email(job));
  }

  async runStep(ref: EscalationRef, step: number): Promise<void> {
    const subject = escalationSubject(ref);
    const outcome = await this.sql.transaction<StepOutcome>(async (tx) => {
      const row = await subject.lock(tx);
      // Done before (a retry, another process), or nothing to escalate.
      if (!row?.plan || row.step >= step || row.over) return { kind: 'none' };
      await subject.recordStep(tx, step);
      const userIds = await subject.unacknowledged(tx);
      if (!userIds.length) return { kind: 'none' };
      if (step <= row.plan.repeats) return this.remind(tx, subject, row, step, userIds);
      return this.escalate(tx, subject, row, userIds);
    });

    if (outcome.kind === 'reminded') {
      this.events.publish(outcome.event);
      if (outcome.emails) this.queue.wake(URGENT_EMAIL_QUEUE);
    } else if (outcome.kind === 'escalated') {
      const { mail, id, createdAt } = outcome;
      this.versions.apply(outcome.unread);
      this.events.publish(new MessageSent(mail.departmentId, mail.senderId, mail.recipientIds, newInboxItem(mail, id, createdAt)));
      this.events.publish(new UnreadChanged(mail.departmentId, mail.recipientIds));
    }
  }

  private async remind(tx: PoolClient, subject: EscalationSubject, row: EscalatedRow, step: number, userIds: number[]): Promise<StepOutcome> {
    await this.offline.enqueue(tx, row.departmentId, userIds, subject.reminderPush(row, step));
    // Only department mail has the emailed acknowledgement link, with its first reminder.
    const emailed = step === 1 && this.mailer.enabled && 'messageId' in subject.ref ? subject.ref.messageId : null;
    if (emailed !== null) {
      await this.queue.insertMany(tx, URGENT_EMAIL_QUEUE, userIds.map((userId) => ({ messageId: emailed, userId }) satisfies EmailJob));
    }
    const next: ReminderJob = { ...subject.ref, step: step + 1 };
    await this.queue.send(tx, URGENT_REMINDER_QUEUE, next, { startAfterSeconds: row.plan!.repeatEverySeconds });
    return { kind: 'reminded', event: subject.remindersSent(row, userIds, step), emails: emailed !== null };
  }

  /** The urgent message to the people named, their role holders and the author, naming who has not acknowledged. */
  private async escalate(tx: PoolClient, subject: EscalationSubject, row: EscalatedRow, userIds: number[]): Promise<StepOutcome> {
    const { departmentId } = row;
    const plan = row.plan!;
    const [named, roleHolders, missing] = await Promise.all([
      plan.notifyUserIds.length ? this.directory.activeMemberIds(departmentId, plan.notifyUserIds) : [],
      plan.notifyRoleIds.length ? this.directory.selectMemberIds(departmentId, { roleIds: plan.notifyRoleIds, groupAndRole: false }) : [],
      this.directory.members(departmentId, userIds),
    ]);
    const recipientIds = [...new Set([row.authorId, ...named, ...roleHolders])].sort((a, b) => a - b);
    const names = new Map(missing.map((m) => [m.id, m.name]));
    const list = userIds.map((id) => `<li>${escapeHtml(names.get(id) ?? `Member ${id}`)}</li>`).join('');
    const about = subject.escalation(row, userIds.length);
    const mail: NewMail = {
      departmentId,
      senderId: ESCALATION_SENDER_ID,
      senderName: ESCALATION_SENDER_NAME,
      subject: about.subject.slice(0, 200),
      body: sanitizeBody(`<p>${about.intro} did not acknowledge it after ${plan.repeats} reminders:</p><ul>${list}</ul>`),
      type: 'alert',
      priority: 'urgent',
      expiresAt: null,
      idempotencyKey: null,
      escalation: null,
      recipientIds,
    };
    const written = await this.writer.write(tx, mail);
    return { kind: 'escalated', mail, id: written!.id, createdAt: written!.createdAt, unread: written!.unread };
  }

  /** One recipient's email with the acknowledgement link; skipped once they acknowledged or were emailed. */
  async email(job: PgBoss.JobWithMetadata<EmailJob>): Promise<void> {
    const { messageId, userId } = job.data;
    const row = await this.urgent.emailDue(messageId, userId);
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
