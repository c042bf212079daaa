import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SEARCH_CURSOR } from '../dto/search.dto';
import type { SearchPage } from '../search-views';
import { SearchRepository } from '../search.repository';
import { SearchMessages } from './search-messages.query';

@QueryHandler(SearchMessages)
export class SearchMessagesHandler implements IQueryHandler<SearchMessages> {
  constructor(private readonly search: SearchRepository) {}

  async execute({ caller, q, limit, cursor }: SearchMessages): Promise<SearchPage> {
    const at = cursor ? SEARCH_CURSOR.exec(cursor) : null;
    const after = at ? { rank: at[1], side: Number(at[2]), a: at[3], b: at[4] } : null;
    const rows = await this.search.hits(q, caller.departmentId, caller.userId, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => {
        const base = { snippet: r.snippet, senderName: r.sender_name, createdAt: r.created_at.toISOString() };
        return r.side === 0
          ? { kind: 'mail' as const, messageId: r.a, subject: r.title, ...base }
          : { kind: 'conversation' as const, conversationId: r.a, seq: r.b, conversationTitle: r.title, ...base };
      }),
      nextCursor: rows.length > limit && last ? `${last.rank}_${last.side}_${last.a}_${last.b}` : null,
    };
  }
}
