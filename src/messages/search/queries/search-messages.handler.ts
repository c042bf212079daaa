import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SqlPool } from '../../database/sql-pool';
import { SEARCH_CURSOR } from '../dto/search.dto';
import type { SearchPage } from '../search-views';
import { SearchMessages, SEARCH_SQL } from './search-messages.query';


interface HitRow {
  side: 0 | 1;
  a: number;
  b: number;
  rank: string;
  title: string;
  sender_name: string;
  created_at: Date;
  snippet: string;
}

@QueryHandler(SearchMessages)
export class SearchMessagesHandler implements IQueryHandler<SearchMessages> {
  constructor(private readonly sql: SqlPool) {}

  async execute({ caller, q, limit, cursor }: SearchMessages): Promise<SearchPage> {
    const after = cursor ? SEARCH_CURSOR.exec(cursor) : null;
    const rows = await this.sql.query<HitRow>(
      SEARCH_SQL,
      [q, caller.departmentId, caller.userId, after?.[1] ?? null, after ? Number(after[2]) : null, after?.[3] ?? null, after?.[4] ?? null, limit + 1],
      'search',
    );
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
