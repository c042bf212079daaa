import { Injectable } from '@nestjs/common';
import { SqlPool } from '../database/sql-pool';
import { htmlToTextSql } from '../html-to-text';
import { keptByCaller, VISIBLE } from '../mail/mail.repository';

/*
 * Each side finds its matches through its GIN index and keeps only what the caller may read:
 * mail they sent (and kept) or received (kept, not expired); text messages of conversations they
 * read, by the conversations' own rule (members; a direct conversation's two people; a dispatch's
 * officer while their task is open), never retracted ones. The page is cut before `ts_headline`,
 * the costly part, runs on its rows alone. Keyset order: rank, then mail before chat, then id.
 */
const SEARCH = `
  with q as (select websearch_to_tsquery('english', $1) as query),
  hits as (
    select 0 as side, m.id as a, 0 as b, ts_rank(m.search, q.query) as rank
      from mail_messages m, q
     where m.department_id = $2 and m.search @@ q.query
       and ${keptByCaller('m', '$3', VISIBLE)}
    union all
    select 1, cm.conversation_id, cm.seq, ts_rank(cm.search, q.query)
      from conversation_members mem
      join conversations c on c.id = mem.conversation_id
      join conversation_messages cm on cm.conversation_id = mem.conversation_id, q
     where mem.user_id = $3 and mem.department_id = $2 and cm.department_id = $2
       and (mem.left_at is null or c.kind = 'direct' or mem.reads_after_leaving)
       and cm.kind = 'text' and cm.retracted_at is null and cm.search @@ q.query
  ),
  page as (
    select * from hits
     where $4::real is null
        or rank < $4::real
        or (rank = $4::real and (side > $5 or (side = $5 and (a, b) < ($6::int, $7::int))))
     order by rank desc, side, a desc, b desc
     limit $8
  )
  select p.side, p.a, p.b, p.rank::text as rank,
         coalesce(m.subject, c.title) as title,
         coalesce(m.sender_name, cm.sender_name) as sender_name,
         coalesce(m.created_at, cm.created_at) as created_at,
         ts_headline('english',
                     case when p.side = 0 then ${htmlToTextSql('m.body')} else cm.body end,
                     q.query, 'StartSel=<mark>, StopSel=</mark>, MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "') as snippet
    from page p cross join q
    left join mail_messages m on p.side = 0 and m.id = p.a
    left join conversation_messages cm on p.side = 1 and cm.conversation_id = p.a and cm.seq = p.b
    left join conversations c on p.side = 1 and c.id = p.a
   order by p.rank desc, p.side, p.a desc, p.b desc`;

/** The statements of search, written once; the snapshot test keeps their text. */
export const SEARCH_SQL = { search: SEARCH };

export interface HitRow {
  side: 0 | 1;
  a: number;
  b: number;
  rank: string;
  title: string;
  sender_name: string;
  created_at: Date;
  snippet: string;
}

/** Where the page starts: after the last hit of the previous page (its rank, side and ids). */
export interface SearchAfter {
  rank: string;
  side: number;
  a: string;
  b: string;
}

@Injectable()
export class SearchRepository {
  constructor(private readonly sql: SqlPool) {}

  hits(q: string, departmentId: number, userId: number, after: SearchAfter | null, limit: number): Promise<HitRow[]> {
    // Unnamed, so planned for its own words each time: a prepared statement's plan, chosen for
    // the words of its first executions, can be a hundred times slower for a rare phrase.
    return this.sql.query<HitRow>(SEARCH_SQL.search, [q, departmentId, userId, after?.rank ?? null, after?.side ?? null, after?.a ?? null, after?.b ?? null, limit]);
  }
}
