import { Injectable } from '@nestjs/common';
import { SqlPool } from '../../database/sql-pool';

export interface MassTextRow {
  id: number;
  body: string;
  created_at: Date;
}

export interface MassTextSummaryRow extends MassTextRow {
  recipient_count: number;
  read_count: number;
  replied_count: number;
  conversation_ids: number[];
}

export interface MassTextRecipientRow {
  user_id: number;
  name: string;
  conversation_id: number;
  seq: number;
  read: boolean;
  reply_seq: number | null;
  reply_body: string | null;
  reply_at: Date | null;
}

/** Every statement that reads mass texts back, written once; the snapshot test keeps their text. */
export const MASS_TEXT_SQL = {
  /** The sender's latest mass texts with their tallies; a reply is any later text line of the recipient's. */
  list: `select t.id, t.body, t.created_at, s.recipient_count, s.read_count, s.replied_count, s.conversation_ids
         from mass_texts t
         cross join lateral (
           select count(*)::int as recipient_count,
                  (count(*) filter (where m.last_read_seq >= r.seq))::int as read_count,
                  (count(*) filter (where exists (
                     select 1 from conversation_messages x
                      where x.conversation_id = r.conversation_id and x.seq > r.seq and x.sender_id = r.user_id and x.kind = 'text')))::int as replied_count,
                  array_agg(r.conversation_id order by r.conversation_id) as conversation_ids
             from mass_text_recipients r
             left join conversation_members m on m.conversation_id = r.conversation_id and m.user_id = r.user_id
            where r.mass_text_id = t.id) s
        where t.department_id = $1 and t.sender_id = $2
        order by t.id desc limit $3`,
  /** A mass text the caller sent: its address answers anyone else 404. */
  sentBy: 'select 1 from mass_texts where id = $1 and department_id = $2 and sender_id = $3',
  find: 'select id, body, created_at from mass_texts where id = $1 and department_id = $2 and sender_id = $3',
  /** Per recipient: read once their read position reaches the line; a reply is any later text line of theirs. */
  recipients: `select r.user_id, coalesce(m.user_name, '') as name, r.conversation_id, r.seq,
         coalesce(m.last_read_seq >= r.seq, false) as read,
         reply.seq as reply_seq, reply.body as reply_body, reply.created_at as reply_at
    from mass_text_recipients r
    left join conversation_members m on m.conversation_id = r.conversation_id and m.user_id = r.user_id
    left join lateral (
      select x.seq, x.body, x.created_at from conversation_messages x
       where x.conversation_id = r.conversation_id and x.seq > r.seq and x.sender_id = r.user_id and x.kind = 'text'
       order by x.seq desc limit 1) reply on true
   where r.mass_text_id = $1
   order by name, r.user_id`,
};

/** Mass texts as their sender reads them back. */
@Injectable()
export class MassTextRepository {
  constructor(private readonly sql: SqlPool) {}

  list(departmentId: number, senderId: number, limit: number): Promise<MassTextSummaryRow[]> {
    return this.sql.query<MassTextSummaryRow>(MASS_TEXT_SQL.list, [departmentId, senderId, limit]);
  }

  async sentBy(departmentId: number, senderId: number, massTextId: number): Promise<boolean> {
    return (await this.sql.query(MASS_TEXT_SQL.sentBy, [massTextId, departmentId, senderId])).length > 0;
  }

  async find(departmentId: number, senderId: number, massTextId: number): Promise<MassTextRow | undefined> {
    const [text] = await this.sql.query<MassTextRow>(MASS_TEXT_SQL.find, [massTextId, departmentId, senderId]);
    return text;
  }

  recipients(massTextId: number): Promise<MassTextRecipientRow[]> {
    return this.sql.query<MassTextRecipientRow>(MASS_TEXT_SQL.recipients, [massTextId]);
  }
}
