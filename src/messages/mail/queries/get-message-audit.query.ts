import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { DepartmentDirectory } from '../../directory/department-directory';
import type { MessageAudit, MessageRemoval } from '../dto/mail-views';

/** For a department admin: who removed a message from which inbox or outbox, and when. */
export class GetMessageAudit extends Query<MessageAudit> {
  constructor(
    readonly departmentId: number,
    readonly messageId: number,
  ) {
    super();
  }
}

interface RemovalRow {
  box: 'inbox' | 'outbox';
  owner_id: number;
  deleted_by: number | null;
  deleted_at: Date;
}

@QueryHandler(GetMessageAudit)
export class GetMessageAuditHandler implements IQueryHandler<GetMessageAudit, MessageAudit> {
  constructor(
    private readonly sql: SqlPool,
    private readonly directory: DepartmentDirectory,
  ) {}

  async execute({ departmentId, messageId }: GetMessageAudit): Promise<MessageAudit> {
    const [message] = await this.sql.query<{ sender_id: number; sender_name: string; created_at: Date; recipient_count: number }>(
      'select sender_id, sender_name, created_at, recipient_count from mail_messages where id = $1 and department_id = $2',
      [messageId, departmentId],
    );
    if (!message) throw DomainError.notFound(`Message ${messageId} not found`);
    // Deletes are soft: the rows keep who removed them and when.
    const rows = await this.sql.query<RemovalRow>(
      `select 'outbox' as box, sender_id as owner_id, sender_deleted_by as deleted_by, sender_deleted_at as deleted_at
         from mail_messages where id = $1 and department_id = $2 and sender_deleted_at is not null
       union all
       select 'inbox', user_id, deleted_by, deleted_at
         from mail_recipients where message_id = $1 and department_id = $2 and deleted_at is not null
       order by deleted_at, box, owner_id`,
      [messageId, departmentId],
    );
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
