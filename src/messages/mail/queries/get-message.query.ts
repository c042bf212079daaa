import { CommandBus, Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Principal } from '../../../common/access';
import { attachmentsJsonSql } from '../../attachments/attachment.mapper';
import type { AttachmentView } from '../../realtime/socket-events';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { DepartmentDirectory } from '../../directory/department-directory';
import { PresenceService } from '../../presence/presence.service';
import type { MessageType, Priority, ResponseCode } from '../../realtime/socket-events';
import { deliverySummary } from '../../urgent/queries/delivery-record';
import { MarkMessagesRead } from '../commands/mark-messages-read.command';
import type { MessageDetail, RecipientStatus } from '../dto/mail-views';
import { iso } from '../mail.mapper';

/** One message for its sender or one of its recipients; for a recipient, viewing reads it. */
export class GetMessage extends Query<MessageDetail> {
  constructor(
    readonly caller: Principal,
    readonly messageId: number,
  ) {
    super();
  }
}

interface MessageRow {
  id: number;
  subject: string;
  body: string;
  sender_id: number;
  sender_name: string;
  type: MessageType;
  created_at: Date;
  expires_at: Date | null;
  recipient_count: number;
  sender_deleted_at: Date | null;
  is_recipient: boolean;
  deleted_at: Date | null;
  read_at: Date | null;
  response: ResponseCode | null;
  response_note: string | null;
  priority: Priority;
  acknowledged_at: Date | null;
  attachments: AttachmentView[];
}

interface RecipientRow {
  user_id: number;
  read_at: Date | null;
  response: ResponseCode | null;
  response_note: string | null;
  responded_at: Date | null;
}

@QueryHandler(GetMessage)
export class GetMessageHandler implements IQueryHandler<GetMessage, MessageDetail> {
  constructor(
    private readonly sql: SqlPool,
    private readonly commands: CommandBus,
    private readonly directory: DepartmentDirectory,
    private readonly presence: PresenceService,
  ) {}

  async execute({ caller, messageId }: GetMessage): Promise<MessageDetail> {
    // Only the caller's own unread copy changes; for anyone else this touches nothing.
    await this.commands.execute(new MarkMessagesRead(caller, [messageId]));
    const [row] = await this.sql.query<MessageRow>(
      `select m.id, m.subject, m.body, m.sender_id, m.sender_name, m.type, m.created_at, m.expires_at,
              m.recipient_count, m.sender_deleted_at, r.user_id is not null as is_recipient,
              r.deleted_at, r.read_at, r.response, r.response_note, m.priority, r.acknowledged_at,
              ${attachmentsJsonSql('a.mail_message_id = m.id')} as attachments
         from mail_messages m left join mail_recipients r on r.message_id = m.id and r.user_id = $2
        where m.id = $1 and m.department_id = $3`,
      [messageId, caller.userId, caller.departmentId],
    );
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
    return isSender ? { ...detail, ...(await this.senderView(caller.departmentId, row)) } : detail;
  }

  /** What only the sender sees: each recipient's read and response status, and the tallies. */
  private async senderView(departmentId: number, row: MessageRow): Promise<Partial<MessageDetail>> {
    const recipients = await this.sql.query<RecipientRow>(
      `select user_id, read_at, response, response_note, responded_at
         from mail_recipients where message_id = $1 and department_id = $2 order by user_id`,
      [row.id, departmentId],
    );
    const members = await this.directory.members(departmentId, recipients.map((r) => r.user_id));
    const names = new Map(members.map((m) => [m.id, m.name]));
    const statuses: RecipientStatus[] = recipients.map((r) => ({
      userId: r.user_id,
      name: names.get(r.user_id) ?? null,
      readAt: iso(r.read_at),
      response: r.response,
      note: r.response_note,
      respondedAt: iso(r.responded_at),
    }));
    const count = (code: ResponseCode) => recipients.filter((r) => r.response === code).length;
    return {
      recipientCount: row.recipient_count,
      readCount: recipients.filter((r) => r.read_at).length,
      responses: { yes: count('yes'), no: count('no'), maybe: count('maybe') },
      recipients: statuses,
      delivery: await deliverySummary(this.sql, this.presence.staleAfterSeconds, departmentId, row.id),
    };
  }
}
