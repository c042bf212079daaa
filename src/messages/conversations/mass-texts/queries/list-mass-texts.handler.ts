import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { MassTextRepository } from '../mass-text.repository';
import { ListMassTexts } from './list-mass-texts.query';

@QueryHandler(ListMassTexts)
export class ListMassTextsHandler implements IQueryHandler<ListMassTexts> {
  constructor(private readonly massTexts: MassTextRepository) {}

  async execute({ departmentId, senderId, limit }: ListMassTexts) {
    const rows = await this.massTexts.list(departmentId, senderId, limit);
    return {
      items: rows.map((r) => ({
        id: r.id,
        body: r.body,
        createdAt: new Date(r.created_at).toISOString(),
        recipientCount: r.recipient_count,
        readCount: r.read_count,
        repliedCount: r.replied_count,
        conversationIds: r.conversation_ids ?? [],
      })),
      nextCursor: null,
    };
  }
}
