import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { MassTextRepository } from '../mass-text.repository';
import { ListMassTextsQuery } from './list-mass-texts.query';

@QueryHandler(ListMassTextsQuery)
export class ListMassTextsHandler implements IQueryHandler<ListMassTextsQuery> {
  constructor(private readonly massTexts: MassTextRepository) {}

  async execute({ departmentId, senderId, limit }: ListMassTextsQuery) {
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
