import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/access';
import { DomainError } from '../../common/errors/domain-error';
import { DepartmentDirectory } from '../directory/department-directory';
import { RecipientsRepository, toDeliverySummary } from '../recipients/recipients.repository';
import type { MessageDetail, RecipientStatus } from './dto/mail-views';
import { iso, toTally } from './mail.mapper';
import { MailRepository, type MessageRow } from './mail.repository';

/** The sender's first page of recipients; `GET /messages/:id/recipients` pages the rest. */
export const FIRST_RECIPIENTS_PAGE = 100;

/** One message as its sender or one of its recipients sees it; reads only. */
@Injectable()
export class MessageDetails {
  constructor(
    private readonly mail: MailRepository,
    private readonly recipients: RecipientsRepository,
    private readonly directory: DepartmentDirectory,
  ) {}

  /** The message, and whether the caller's own copy is still unread (so that viewing it reads it). */
  async load(caller: Principal, messageId: number): Promise<{ detail: MessageDetail; unread: boolean }> {
    const row = await this.mail.message(messageId, caller.userId, caller.departmentId);
    const isSender = !!row && row.sender_id === caller.userId && !row.sender_deleted_at;
    const isRecipient = !!row && row.is_recipient && !row.deleted_at;
    // Not there, another department's, deleted, or someone else's: all look the same.
    if (!row || (!isSender && !isRecipient)) throw DomainError.notFound(`Message ${messageId} not found`);
    const detail: MessageDetail = {
      id: row.id,
      subject: row.subject,
      body: row.body,
      senderId: row.sender_id,
      senderName: row.sender_name,
      type: row.type,
      createdAt: row.created_at.toISOString(),
      expiresAt: iso(row.expires_at),
      expired: !!row.expires_at && row.expires_at.getTime() <= Date.now(),
      readAt: iso(row.read_at),
      response: row.response,
      note: row.response_note,
      priority: row.priority,
      acknowledgedAt: iso(row.acknowledged_at),
      attachments: row.attachments,
    };
    return {
      detail: isSender ? { ...detail, ...(await this.senderView(caller.departmentId, row)) } : detail,
      unread: isRecipient && row.unread && !detail.expired,
    };
  }

  /** What only the sender sees: the tallies (counted in SQL) and the first page of recipients with their status. */
  private async senderView(departmentId: number, row: MessageRow): Promise<Partial<MessageDetail>> {
    // The names wait only for the page, not for the aggregate over every recipient row.
    const [summary, { recipients, recipientsNextCursor }] = await Promise.all([
      this.recipients.summary(row.id, departmentId, row.recipient_count),
      this.firstRecipientsPage(departmentId, row.id),
    ]);
    return {
      recipientCount: row.recipient_count,
      readCount: summary.read_count,
      responses: toTally(summary),
      recipients,
      recipientsNextCursor,
      delivery: toDeliverySummary(summary),
    };
  }

  /** Up to FIRST_RECIPIENTS_PAGE recipients by user id, named by the directory. */
  private async firstRecipientsPage(
    departmentId: number,
    messageId: number,
  ): Promise<{ recipients: RecipientStatus[]; recipientsNextCursor: string | null }> {
    const rows = await this.recipients.statuses(messageId, departmentId, 0, FIRST_RECIPIENTS_PAGE + 1);
    const more = rows.length > FIRST_RECIPIENTS_PAGE;
    const page = more ? rows.slice(0, FIRST_RECIPIENTS_PAGE) : rows;
    const names = new Map((await this.directory.members(departmentId, page.map((r) => r.user_id))).map((m) => [m.id, m.name]));
    const recipients: RecipientStatus[] = page.map((r) => ({
      userId: r.user_id,
      name: names.get(r.user_id) ?? null,
      readAt: iso(r.read_at),
      response: r.response,
      note: r.response_note,
      respondedAt: iso(r.responded_at),
    }));
    return { recipients, recipientsNextCursor: more ? String(page[page.length - 1].user_id) : null };
  }
}
