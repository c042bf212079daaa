import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import sanitizeHtml from 'sanitize-html';
import { DomainError } from '../../common/errors/domain-error';
import { SqlPool } from '../database/sql-pool';
import type { ConversationKind, ConversationMessagePayload, ConversationSummary, Priority } from '../realtime/socket-events';
import { MESSAGE_COLUMNS, toMessage, toSummary, type MessageRow, type SummaryRow } from './conversation.mapper';

export { MESSAGE_COLUMNS, toMessage, type MessageRow };

/** Who acts: a member of the department, by id and display name. `Principal` fits. */
export interface Actor {
  userId: number;
  departmentId: number;
  name: string;
}

export const SYSTEM_SENDER = 'System';
export const MAX_BODY_LENGTH = 4_000;

/** Conversation text is plain: markup is dropped (scripts with their content) and `<>&` escaped, so it is safe as HTML too. */
export function plainText(body: string): string {
  const text = sanitizeHtml(body, { allowedTags: [], allowedAttributes: {}, disallowedTagsMode: 'discard' }).trim();
  if (!text) throw DomainError.invalid('body must contain text');
  return text;
}

/** "Ann", "Ann and Bob", "Ann, Bob and 3 others". */
export function nameList(names: readonly string[], max = 5): string {
  if (names.length <= 1) return names.join('');
  if (names.length <= max) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, max).join(', ')} and ${names.length - max} others`;
}

/** The conversation with the caller's membership, as the commands check it. */
export interface ConversationAccess {
  id: number;
  kind: ConversationKind;
  title: string;
  zoneId: number | null;
  dispatchId: number | null;
  archived: boolean;
  lastSeq: number;
  /** The caller has a membership row (current or left). */
  hasMembership: boolean;
  /** The caller is a current member. */
  isMember: boolean;
  readsAfterLeaving: boolean;
}

export interface NewMessage {
  senderId: number | null;
  senderName: string;
  kind: 'text' | 'system';
  body: string;
  clientId?: string | null;
  priority?: Priority;
}

/**
 * One query shape for every summary: the conversation, the viewer's read position, the current
 * members and the last message, joined in one statement whatever the number of conversations.
 */
const summarySql = (from: string, where: string, tail = '') => `
  select c.id, c.kind, c.title, c.zone_id, c.dispatch_id, c.created_by, c.created_at, c.archived_at, c.last_seq,
         m.user_id as viewer_id, m.last_read_seq, m.left_at,
         coalesce(mem.members, '[]'::json) as members,
         lm.seq as lm_seq, lm.sender_id as lm_sender_id, lm.sender_name as lm_sender_name, lm.kind as lm_kind,
         lm.body as lm_body, lm.client_id as lm_client_id, lm.created_at as lm_created_at, lm.priority as lm_priority
    ${from}
    left join conversation_messages lm on lm.conversation_id = c.id and lm.seq = c.last_seq
    left join lateral (
      select json_agg(json_build_object('userId', x.user_id, 'name', x.user_name) order by x.joined_at, x.user_id) as members
        from conversation_members x
       where x.conversation_id = c.id and (x.left_at is null or c.kind = 'direct')
    ) mem on true
   where ${where}
   ${tail}`;

type Queryable = Pick<PoolClient, 'query'>;

/** The SQL the conversation commands and queries share. */
@Injectable()
export class ConversationStore {
  constructor(private readonly sql: SqlPool) {}

  /** The conversation and `userId`'s membership; with `lock`, the row stays locked until the transaction ends (sends queue here). */
  async access(db: Queryable, departmentId: number, conversationId: number, userId: number, lock = false): Promise<ConversationAccess | null> {
    const { rows } = await db.query(
      `select c.id, c.kind, c.title, c.zone_id, c.dispatch_id, c.archived_at, c.last_seq,
              m.user_id is not null as has_membership, m.left_at, coalesce(m.reads_after_leaving, false) as reads_after_leaving
         from conversations c
         left join conversation_members m on m.conversation_id = c.id and m.user_id = $3
        where c.id = $1 and c.department_id = $2
        ${lock ? 'for update of c' : ''}`,
      [conversationId, departmentId, userId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      kind: r.kind,
      title: r.title,
      zoneId: r.zone_id,
      dispatchId: r.dispatch_id,
      archived: r.archived_at !== null,
      lastSeq: r.last_seq,
      hasMembership: r.has_membership,
      isMember: r.has_membership && r.left_at === null,
      readsAfterLeaving: r.reads_after_leaving,
    };
  }

  /**
   * As `access`, refusing a caller who may not read: 404 for a stranger, 403 for a member who
   * left. A dispatch conversation is gone for an officer who left once their task is cleared: 404.
   */
  async readable(db: Queryable, departmentId: number, conversationId: number, userId: number): Promise<ConversationAccess> {
    const found = await this.access(db, departmentId, conversationId, userId);
    if (!found || !found.hasMembership || (found.kind === 'dispatch' && !canRead(found))) {
      throw DomainError.notFound(`Conversation ${conversationId} not found`);
    }
    if (!canRead(found)) {
      throw DomainError.forbidden(`You left conversation ${conversationId}; send a message in it to rejoin`);
    }
    return found;
  }

  /**
   * Appends messages in order. The conversation row's `last_seq` is bumped in the same
   * statement, and the row lock it takes makes concurrent senders queue: no gap, no duplicate.
   */
  async append(tx: Queryable, departmentId: number, conversationId: number, messages: readonly NewMessage[]): Promise<ConversationMessagePayload[]> {
    if (messages.length === 0) return [];
    const { rows } = await tx.query<MessageRow>(
      `with bumped as (
         update conversations set last_seq = last_seq + $3, last_message_at = now()
          where id = $1 and department_id = $2
          returning last_seq
       )
       insert into conversation_messages (conversation_id, seq, department_id, sender_id, sender_name, kind, body, client_id, priority)
       select $1, b.last_seq - $3 + m.ord, $2, m.sender_id, m.sender_name, m.kind, m.body, m.client_id, m.priority
         from bumped b,
              unnest($4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
                with ordinality m(sender_id, sender_name, kind, body, client_id, priority, ord)
       returning ${MESSAGE_COLUMNS}`,
      [
        conversationId,
        departmentId,
        messages.length,
        messages.map((m) => m.senderId),
        messages.map((m) => m.senderName),
        messages.map((m) => m.kind),
        messages.map((m) => m.body),
        messages.map((m) => m.clientId ?? null),
        messages.map((m) => m.priority ?? 'normal'),
      ],
    );
    return rows.map(toMessage).sort((a, b) => a.seq - b.seq);
  }

  /**
   * Adds members in one statement: new ones are inserted, ones who had left come back; current
   * members are left as they are. Resolves to the ids actually added.
   */
  async addMembers(
    tx: Queryable,
    departmentId: number,
    conversationId: number,
    members: readonly { userId: number; name: string }[],
    options: { invitedBy: number | null; readsAfterLeaving?: boolean; delivered?: boolean },
  ): Promise<number[]> {
    if (members.length === 0) return [];
    const { rows } = await tx.query<{ user_id: number }>(
      `insert into conversation_members as cm
              (conversation_id, user_id, department_id, user_name, invited_by, reads_after_leaving, invitation_delivered_at)
       select $1, u.id, $2, u.name, $5, $6, case when $7::boolean then now() end
         from unnest($3::int[], $4::text[]) u(id, name)
       on conflict (conversation_id, user_id) do update
          set left_at = null, joined_at = now(), invited_by = excluded.invited_by, user_name = excluded.user_name,
              reads_after_leaving = cm.reads_after_leaving or excluded.reads_after_leaving,
              invitation_delivered_at = excluded.invitation_delivered_at
        where cm.left_at is not null
       returning cm.user_id`,
      [
        conversationId,
        departmentId,
        members.map((m) => m.userId),
        members.map((m) => m.name),
        options.invitedBy,
        options.readsAfterLeaving ?? false,
        options.delivered ?? false,
      ],
    );
    return rows.map((r) => r.user_id);
  }

  /** The current members' ids. */
  async currentMemberIds(db: Queryable, conversationId: number): Promise<number[]> {
    const { rows } = await db.query<{ user_id: number }>(
      'select user_id from conversation_members where conversation_id = $1 and left_at is null order by user_id',
      [conversationId],
    );
    return rows.map((r) => r.user_id);
  }

  /** Moves the member's read position forward (never back), up to the last message. */
  async advanceRead(db: Queryable, conversationId: number, userId: number, seq: number): Promise<void> {
    await db.query(
      'update conversation_members set last_read_seq = greatest(last_read_seq, $3) where conversation_id = $1 and user_id = $2',
      [conversationId, userId, seq],
    );
  }

  /** The caller's open conversations, most recently active first. */
  async listFor(departmentId: number, userId: number, limit: number): Promise<ConversationSummary[]> {
    // The page is chosen first, so the members and last message are joined for it alone.
    const rows = await this.sql.query<SummaryRow>(
      summarySql(
        `from (select m.*, coalesce(c.last_message_at, c.created_at) as active_at
                 from conversation_members m join conversations c on c.id = m.conversation_id
                where m.user_id = $1 and m.department_id = $2 and c.archived_at is null
                  and (m.left_at is null or m.reads_after_leaving)
                order by active_at desc, m.conversation_id desc limit $3) m
         join conversations c on c.id = m.conversation_id`,
        'true',
        'order by m.active_at desc, c.id desc',
      ),
      [userId, departmentId, limit],
    );
    return rows.map(toSummary);
  }

  /** One conversation as `viewerId` sees it (null: as the record, with no read position). */
  async summary(db: Queryable, departmentId: number, conversationId: number, viewerId: number | null): Promise<ConversationSummary | null> {
    const { rows } = await db.query<SummaryRow>(
      summarySql(
        'from conversations c left join conversation_members m on m.conversation_id = c.id and m.user_id = $3',
        'c.id = $1 and c.department_id = $2',
      ),
      [conversationId, departmentId, viewerId],
    );
    return rows[0] ? toSummary(rows[0]) : null;
  }

  /** Summaries for (conversation, viewer) pairs, each from its viewer's side, in one query. */
  async summariesFor(
    departmentId: number,
    pairs: readonly { conversationId: number; userId: number }[],
  ): Promise<{ userId: number; conversation: ConversationSummary }[]> {
    if (pairs.length === 0) return [];
    const rows = await this.sql.query<SummaryRow>(
      summarySql(
        `from unnest($1::int[], $2::int[]) p(conversation_id, user_id)
         join conversation_members m on m.conversation_id = p.conversation_id and m.user_id = p.user_id
         join conversations c on c.id = m.conversation_id`,
        'c.department_id = $3',
      ),
      [pairs.map((p) => p.conversationId), pairs.map((p) => p.userId), departmentId],
    );
    return rows.map((r) => ({ userId: r.viewer_id!, conversation: toSummary(r) }));
  }
}

/**
 * Current members read. A member who left reads on while `reads_after_leaving` holds (the
 * dispatch rule: until their task is cleared), and always reads a direct conversation.
 */
export const canRead = (a: ConversationAccess): boolean => a.isMember || (a.hasMembership && (a.kind === 'direct' || a.readsAfterLeaving));

/**
 * Claims the pending invitations of `userId` (all of them) or of the given pairs: marks them
 * delivered and resolves to those this call marked, so each is sent once even when a connect
 * and an invitation race.
 */
export async function claimPendingInvitations(
  sql: SqlPool,
  which: { userId: number } | { pairs: readonly { conversationId: number; userId: number }[] },
): Promise<{ conversationId: number; userId: number; departmentId: number }[]> {
  if ('pairs' in which && which.pairs.length === 0) return [];
  const rows =
    'pairs' in which
      ? await sql.query<{ conversation_id: number; user_id: number; department_id: number }>(
          `update conversation_members m set invitation_delivered_at = now()
             from unnest($1::int[], $2::int[]) p(conversation_id, user_id)
            where m.conversation_id = p.conversation_id and m.user_id = p.user_id
              and m.invitation_delivered_at is null and m.left_at is null
            returning m.conversation_id, m.user_id, m.department_id`,
          [which.pairs.map((p) => p.conversationId), which.pairs.map((p) => p.userId)],
        )
      : await sql.query<{ conversation_id: number; user_id: number; department_id: number }>(
          `update conversation_members set invitation_delivered_at = now()
            where user_id = $1 and invitation_delivered_at is null and left_at is null
            returning conversation_id, user_id, department_id`,
          [which.userId],
        );
  return rows
    .map((r) => ({ conversationId: r.conversation_id, userId: r.user_id, departmentId: r.department_id }))
    .sort((a, b) => a.conversationId - b.conversationId);
}
