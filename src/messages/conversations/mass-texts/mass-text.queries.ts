import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';

export interface MassTextSummary {
  id: number;
  body: string;
  createdAt: string;
  recipientCount: number;
  readCount: number;
  repliedCount: number;
  /** The direct conversations it went into: the chat list shows them as this one row. */
  conversationIds: number[];
}

export interface MassTextRecipient {
  userId: number;
  name: string;
  conversationId: number;
  /** The line the mass text is in that conversation. */
  seq: number;
  read: boolean;
  replied: boolean;
  /** Their latest line after the mass text, if any. */
  lastReply: { seq: number; body: string; createdAt: string } | null;
}

export interface MassTextOverview extends Omit<MassTextSummary, 'conversationIds'> {
  recipients: MassTextRecipient[];
}

interface RecipientRow {
  user_id: number;
  name: string;
  conversation_id: number;
  seq: number;
  read: boolean;
  reply_seq: number | null;
  reply_body: string | null;
  reply_at: Date | null;
}

// Per recipient: read once their read position reaches the line; a reply is any later text line of theirs.
const RECIPIENTS_SQL = `
  select r.user_id, coalesce(m.user_name, '') as name, r.conversation_id, r.seq,
         coalesce(m.last_read_seq >= r.seq, false) as read,
         reply.seq as reply_seq, reply.body as reply_body, reply.created_at as reply_at
    from mass_text_recipients r
    left join conversation_members m on m.conversation_id = r.conversation_id and m.user_id = r.user_id
    left join lateral (
      select x.seq, x.body, x.created_at from conversation_messages x
       where x.conversation_id = r.conversation_id and x.seq > r.seq and x.sender_id = r.user_id and x.kind = 'text'
       order by x.seq desc limit 1) reply on true
   where r.mass_text_id = $1`;

/** The caller's recent mass texts, newest first, each with its tallies. */
export class ListMassTextsQuery extends Query<{ items: MassTextSummary[]; nextCursor: null }> {
  constructor(
    readonly departmentId: number,
    readonly senderId: number,
    readonly limit: number,
  ) {
    super();
  }
}

/** One of the caller's mass texts: who it went to, who read it, who replied. */
export class MassTextOverviewQuery extends Query<MassTextOverview> {
  constructor(
    readonly departmentId: number,
    readonly senderId: number,
    readonly massTextId: number,
  ) {
    super();
  }
}

@QueryHandler(ListMassTextsQuery)
export class ListMassTextsHandler implements IQueryHandler<ListMassTextsQuery> {
  constructor(private readonly sql: SqlPool) {}

  async execute({ departmentId, senderId, limit }: ListMassTextsQuery) {
    const rows = await this.sql.query<{
      id: number;
      body: string;
      created_at: Date;
      recipient_count: number;
      read_count: number;
      replied_count: number;
      conversation_ids: number[];
    }>(
      `select t.id, t.body, t.created_at, s.recipient_count, s.read_count, s.replied_count, s.conversation_ids
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
      [departmentId, senderId, limit],
    );
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

@QueryHandler(MassTextOverviewQuery)
export class MassTextOverviewHandler implements IQueryHandler<MassTextOverviewQuery> {
  constructor(private readonly sql: SqlPool) {}

  async execute({ departmentId, senderId, massTextId }: MassTextOverviewQuery): Promise<MassTextOverview> {
    const [text] = await this.sql.query<{ id: number; body: string; created_at: Date }>(
      'select id, body, created_at from mass_texts where id = $1 and department_id = $2 and sender_id = $3',
      [massTextId, departmentId, senderId],
    );
    if (!text) throw DomainError.notFound(`Mass text ${massTextId} not found`);
    const rows = await this.sql.query<RecipientRow>(`${RECIPIENTS_SQL} order by name, r.user_id`, [massTextId]);
    const recipients = rows.map((r) => ({
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
