import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { DepartmentDirectory } from '../../directory/department-directory';
import type { MessageAudit, MessageRemoval } from '../dto/mail-views';
import { MailRepository } from '../mail.repository';
import { GetMessageAudit } from './get-message-audit.query';

@QueryHandler(GetMessageAudit)
export class GetMessageAuditHandler implements IQueryHandler<GetMessageAudit, MessageAudit> {
  constructor(
    private readonly mail: MailRepository,
    private readonly directory: DepartmentDirectory,
  ) {}

  async execute({ departmentId, messageId }: GetMessageAudit): Promise<MessageAudit> {
    const message = await this.mail.auditHeader(messageId, departmentId);
    if (!message) throw DomainError.notFound(`Message ${messageId} not found`);
    const rows = await this.mail.removals(messageId, departmentId);
    const ids = [...new Set(rows.flatMap((r) => [r.owner_id, ...(r.deleted_by ? [r.deleted_by] : [])]))];
    const names = new Map((await this.directory.members(departmentId, ids)).map((m) => [m.id, m.name]));
    const removals: MessageRemoval[] = rows.map((r) => ({
      box: r.box,
      ownerId: r.owner_id,
      ownerName: names.get(r.owner_id) ?? null,
      removedBy: r.deleted_by,
      removedByName: r.deleted_by ? (names.get(r.deleted_by) ?? null) : null,
      removedAt: r.deleted_at.toISOString(),
    }));
    return {
      messageId,
      senderId: message.sender_id,
      senderName: message.sender_name,
      createdAt: message.created_at.toISOString(),
      recipientCount: message.recipient_count,
      removals,
    };
  }
}
