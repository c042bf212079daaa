import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { SqlPool } from '../../database/sql-pool';
import { UnreadChanged } from '../../events/mail.events';
import { MailDeliveryChanged, MailSeen } from '../../urgent/urgent.events';
import type { Affected } from '../dto/mail-views';
import { MarkMessagesRead } from './mark-messages-read.command';

@CommandHandler(MarkMessagesRead)
export class MarkMessagesReadHandler implements ICommandHandler<MarkMessagesRead, Affected> {
  constructor(
    private readonly sql: SqlPool,
    private readonly events: EventBus,
  ) {}

  async execute({ caller, messageIds }: MarkMessagesRead): Promise<Affected> {
    const rows = await this.sql.query<{ message_id: number; sender_id: number; read_at: Date; pushed: boolean }>(
      `update mail_recipients r set read_at = now()
         from mail_messages m
        where m.id = r.message_id and r.user_id = $1 and r.department_id = $2 and r.message_id = any($3::int[])
          and r.read_at is null and r.deleted_at is null and (r.expires_at is null or r.expires_at > now())
        returning r.message_id, m.sender_id, r.read_at, r.push_at is not null as pushed`,
      [caller.userId, caller.departmentId, messageIds],
    );
    if (!rows.length) return { affected: 0 };
    this.events.publish(new UnreadChanged(caller.departmentId, [caller.userId]));
    for (const r of rows) {
      this.events.publish(
        new MailDeliveryChanged(caller.departmentId, r.sender_id, { messageId: r.message_id, userId: caller.userId, state: 'read', at: r.read_at.toISOString() }),
      );
    }
    // The notifications still shown on the member's other devices go.
    const pushed = rows.filter((r) => r.pushed).map((r) => r.message_id);
    if (pushed.length) this.events.publish(new MailSeen(caller.departmentId, caller.userId, pushed));
    return { affected: rows.length };
  }
}
