import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import sanitizeHtml from 'sanitize-html';
import { DomainError } from '../../common/errors/domain-error';
import { SqlPool } from '../database/sql-pool';
import type { ConversationKind, ConversationMessagePayload, ConversationSummary, NotificationLevel, Priority } from '../realtime/socket-events';
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
  replyToSeq?: number | null;
  mentionUserIds?: readonly number[];
  location?: { lat: number; lng: number; accuracyM?: number | null } | null;
}

/**
 * A member's unread count: the text messages after their read position (system lines are not
 * counted), from the conversation's running `text_count` and the `text_seq` at that position.
 */
export const unreadCountSql = (conversation: string, readSeq: string) => `
  greatest(0, ${conversation}.text_count - coalesce(
    (select r.text_seq from conversation_messages r where r.conversation_id = ${conversation}.id and r.seq = ${readSeq}), 0))::int`;

/** Most recent activity first: the last message, or the opening for a conversation without one. */
const ACTIVE_AT = 'coalesce(c.last_message_at, c.created_at)';
/** The activity time in whole microseconds, exact in a cursor (a JavaScript Date keeps milliseconds only). */
const ACTIVE_MICROS = `(extract(epoch from ${ACTIVE_AT}) * 1000000)::bigint`;

/**
 * One query shape for every summary: the conversation, the viewer's read position, the current
 * members and the last message, joined in one statement whatever the number of conversations.
 */
const summarySql = (from: string, where: string, tail = '') => `
  select c.id, c.kind, c.title, c.zone_id, c.dispatch_id, c.created_by, c.created_at, c.archived_at, c.last_seq,
         m.user_id as viewer_id, m.last_read_seq, m.left_at, m.notification_level,
         ${unreadCountSql('c', 'm.last_read_seq')} as unread_count,
         ${ACTIVE_MICROS}::text as active_micros,
         coalesce(mem.members, '[]'::json) as members,
         (select row_to_json(lm) from (
            select ${MESSAGE_COLUMNS} from conversation_messages
             where conversation_messages.conversation_id = c.id and conversation_messages.seq = c.last_seq) lm) as last_message
    ${from}
    left join lateral (
      select json_agg(json_build_object('userId', x.user_id, 'name', x.user_name) order by x.joined_at, x.user_id) as members
        from conversation_members x
       where x.conversation_id = c.id and (x.left_at is null or c.kind = 'direct')
    ) mem on true
   where ${where}
   ${tail}`;

/** One page of a member's conversation list. */
export interface ConversationPage {
  items: ConversationSummary[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

/** `<activity in microseconds>.<conversation id>` of the last item of a page. */
export const CONVERSATION_CURSOR = /^(\d{1,19})\.(\d{1,10})$/;

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
    const texts = messages.filter((m) => m.kind === 'text').length;
    const { rows } = await tx.query<MessageRow>(
      `with bumped as (
         update conversations set last_seq = last_seq + $3, text_count = text_count + $9, last_message_at = now()
          where id = $1 and department_id = $2
          returning last_seq, text_count
       ), numbered as (
         select m.*, b.last_seq - $3 + m.ord as seq,
                b.text_count - $9 + count(*) filter (where m.kind = 'text') over (order by m.ord) as text_seq
           from bumped b,
                unnest($4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $10::jsonb[])
                  with ordinality m(sender_id, sender_name, kind, body, client_id, extra, ord)
       )
       insert into conversation_messages
              (conversation_id, seq, text_seq, department_id, sender_id, sender_name, kind, body, client_id,
               reply_to_seq, mention_user_ids, location_lat, location_lng, location_accuracy_m, priority)
       select $1, n.seq, n.text_seq, $2, n.sender_id, n.sender_name, n.kind, n.body, n.client_id,
              (n.extra->>'replyToSeq')::int,
              coalesce(array(select jsonb_array_elements_text(n.extra->'mentionUserIds')::int), '{}'),
              (n.extra->>'lat')::float8, (n.extra->>'lng')::float8, (n.extra->>'accuracyM')::float8,
              coalesce(n.extra->>'priority', 'normal')
         from numbered n
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
        texts,
        messages.map((m) =>
          JSON.stringify({
            replyToSeq: m.replyToSeq ?? null,
            mentionUserIds: m.mentionUserIds ?? [],
            lat: m.location?.lat ?? null,
            lng: m.location?.lng ?? null,
            accuracyM: m.location?.accuracyM ?? null,
            priority: m.priority ?? 'normal',
          }),
        ),
      ],
    );
    return rows.map(toMessage).sort((a, b) => a.seq - b.seq);
  }

  /** The current members with their notification levels, for deciding who gets a push. */
  async currentMembersWithLevels(db: Queryable, conversationId: number): Promise<{ userId: number; level: NotificationLevel }[]> {
    const { rows } = await db.query<{ user_id: number; notification_level: NotificationLevel }>(
      'select user_id, notification_level from conversation_members where conversation_id = $1 and left_at is null order by user_id',
      [conversationId],
    );
    return rows.map((r) => ({ userId: r.user_id, level: r.notification_level }));
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

  /** A page of the caller's open conversations, most recently active first, optionally of one kind. */
  async listFor(
    departmentId: number,
    userId: number,
    page: { limit: number; cursor?: string; kind?: ConversationKind },
  ): Promise<ConversationPage> {
    const after = page.cursor ? CONVERSATION_CURSOR.exec(page.cursor) : null;
    // The page is chosen first (keyset on activity, then id), so members and last message are joined for it alone.
    const rows = await this.sql.query<SummaryRow & { active_micros: string }>(
      summarySql(
        `from (select m.*, ${ACTIVE_MICROS} as active_key
                 from conversation_members m join conversations c on c.id = m.conversation_id
                where m.user_id = $1 and m.department_id = $2 and c.archived_at is null
                  and (m.left_at is null or m.reads_after_leaving)
                  and ($4::text is null or c.kind = $4)
                  and ($5::bigint is null or (${ACTIVE_MICROS}, m.conversation_id) < ($5::bigint, $6::int))
                order by active_key desc, m.conversation_id desc limit $3) m
         join conversations c on c.id = m.conversation_id`,
        'true',
        'order by m.active_key desc, c.id desc',
      ),
      [userId, departmentId, page.limit + 1, page.kind ?? null, after?.[1] ?? null, after?.[2] ?? null],
    );
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toSummary),
      nextCursor: rows.length > page.limit && last ? `${last.active_micros}.${last.id}` : null,
    };
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
