import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../../common/errors/domain-error';
import type { MassTextOverview } from '../mass-text.queries';
import { MassTextRepository } from '../mass-text.repository';
import { GetMassTextOverview } from './get-mass-text-overview.query';

@QueryHandler(GetMassTextOverview)
export class GetMassTextOverviewHandler implements IQueryHandler<GetMassTextOverview> {
  constructor(private readonly massTexts: MassTextRepository) {}

  async execute({ departmentId, senderId, massTextId }: GetMassTextOverview): Promise<MassTextOverview> {
    const text = await this.massTexts.find(departmentId, senderId, massTextId);
    if (!text) throw DomainError.notFound(`Mass text ${massTextId} not found`);
    const recipients = (await this.massTexts.recipients(massTextId)).map((r) => ({
      userId: r.user_id,
      name: r.name,
      conversationId: r.conversation_id,
      seq: r.seq,
      read: r.read,
      replied: r.reply_seq !== null,
      lastReply: r.reply_seq === null ? null : { seq: r.reply_seq, body: r.reply_body ?? '', createdAt: new Date(r.reply_at!).toISOString() },
    }));
    return {
      id: text.id,
      body: text.body,
      createdAt: new Date(text.created_at).toISOString(),
      recipientCount: recipients.length,
      readCount: recipients.filter((r) => r.read).length,
      repliedCount: recipients.filter((r) => r.replied).length,
      recipients,
    };
  }
}
