import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { DepartmentDirectory } from '../../directory/department-directory';
import { iso } from '../../mail/mail.mapper';
import { RecipientsRepository, toDeliverySummary } from '../../recipients/recipients.repository';
import type { RecipientDeliveryPage } from '../dto/delivery-views';
import type { RecipientState } from '../dto/urgent.dto';
import { GetMessageRecipients } from './get-message-recipients.query';

@QueryHandler(GetMessageRecipients)
export class GetMessageRecipientsHandler implements IQueryHandler<GetMessageRecipients, RecipientDeliveryPage> {
  constructor(
    private readonly recipients: RecipientsRepository,
    private readonly directory: DepartmentDirectory,
  ) {}

  async execute({ caller, messageId, state, limit, cursor }: GetMessageRecipients): Promise<RecipientDeliveryPage> {
    const message = await this.recipients.sentBy(messageId, caller.departmentId, caller.userId);
    // Only the sender sees who got it; to anyone else the message does not exist.
    if (!message) throw DomainError.notFound(`Message ${messageId} not found`);
    const after = cursor && /^\d{1,10}$/.test(cursor) ? Number(cursor) : 0;
    // The names wait only for the page, not for the aggregate over every recipient row.
    const [{ page, more, names }, summary] = await Promise.all([
      this.namedPage(caller.departmentId, messageId, state, after, limit),
      this.recipients.summary(messageId, caller.departmentId, message.recipient_count),
    ]);
    return {
      messageId,
      priority: message.priority,
      summary: toDeliverySummary(summary),
      items: page.map((r) => ({
        userId: r.user_id,
        name: names.get(r.user_id) ?? null,
        state: r.state,
        channels: { socket: iso(r.socket_at), push: iso(r.push_at), email: iso(r.email_at) },
        readAt: iso(r.read_at),
        acknowledgedAt: iso(r.acknowledged_at),
        response: r.response,
      })),
      nextCursor: more ? String(page[page.length - 1].user_id) : null,
    };
  }

  /** Up to `limit` rows after `after`, whether there are more, and the rows' names. */
  private async namedPage(departmentId: number, messageId: number, state: RecipientState, after: number, limit: number) {
    const rows = await this.recipients.delivery(messageId, departmentId, state, after, limit + 1);
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const members = await this.directory.members(departmentId, page.map((r) => r.user_id));
    return { page, more, names: new Map(members.map((m) => [m.id, m.name])) };
  }
}
