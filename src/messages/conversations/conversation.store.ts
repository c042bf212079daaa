import { Injectable } from '@nestjs/common';
import type { QueryResultRow } from 'pg';
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

/** A member's place in their list, in whole microseconds, exact in a cursor (a JavaScript Date keeps milliseconds only). */
const ACTIVE_MICROS = `(extract(epoch from m.active_at) * 1000000)::bigint`;
/** The cursor's microseconds back as a timestamp, in integer steps so nothing is rounded. */
const CURSOR_AT = `('epoch'::timestamptz + ($5::bigint / 1000000) * interval '1 second' + ($5::bigint % 1000000) * interval '1 microsecond')`;

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

/** A page of history by `seq`, oldest first. */
export interface HistoryPage {
  items: ConversationMessagePayload[];
  /** The `seq` to pass (as `after`, or `before`, as this page was asked) for the next page that way; null when none is left. */
  nextCursor: string | null;
  /** Whether a next page exists (the same as a non-null `nextCursor`). */
  hasMore: boolean;
}

/** What a statement runs on: a transaction's client, or the pool. */
export interface Db {
  query<T extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: T[] }>;
}

/** The conversation with one user's membership row, if any. */
const ACCESS_SQL = `select c.id, c.kind, c.title, c.zone_id, c.dispatch_id, c.archived_at, c.last_seq,
              m.user_id is not null as has_membership, m.left_at, coalesce(m.reads_after_leaving, false) as reads_after_leaving
         from conversations c
         left join conversation_members m on m.conversation_id = c.id and m.user_id = $3
        where c.id = $1 and c.department_id = $2`;

/**
 * Every statement of the conversations area, written once. The repository runs them; the
 * snapshot test keeps their text, so a changed query shows in review.
 */
export const CONVERSATION_SQL = {
  access: ACCESS_SQL,
  /** Sends queue on this lock: no gap, no duplicate. */
  accessForUpdate: `${ACCESS_SQL}
        for update of c`,
  append: `with bumped as (
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
  /**
   * The conversation moves to the top of every member's list; never back, whatever order two of
   * these commit in. A member whose list it already tops keeps their row as it is (the order
   * is the same, and a busy conversation tops most of its members' lists): one probe of the list
   * index instead of a new row version with an entry in every index. Only activity elsewhere in
   * the same moment, not yet committed, may then end up listed above it. The conversation's row is
   * locked first, as every other writer of its members' rows does: outside a transaction too,
   * no deadlock with them.
   */
  markActive: `with locked as (select id from conversations where id = $1 for update)
       update conversation_members m set active_at = greatest(m.active_at, now())
        where m.conversation_id = (select id from locked) and m.active_at is not null
          and (not (m.left_at is null or m.reads_after_leaving)
               or m.conversation_id is distinct from (
                    select o.conversation_id from conversation_members o
                     where o.user_id = m.user_id and o.active_at is not null and (o.left_at is null or o.reads_after_leaving)
                     order by o.active_at desc, o.conversation_id desc limit 1))`,
  currentMembersWithLevels:
    'select user_id, notification_level from conversation_members where conversation_id = $1 and left_at is null order by user_id',
  currentMemberIds: 'select user_id from conversation_members where conversation_id = $1 and left_at is null order by user_id',
  /** Who still sees an archived conversation's last lines: members, and those the dispatch rule keeps reading. */
  readerIds: 'select user_id from conversation_members where conversation_id = $1 and (left_at is null or reads_after_leaving) order by user_id',
  addMembers: `insert into conversation_members as cm
              (conversation_id, user_id, department_id, user_name, invited_by, reads_after_leaving, invitation_delivered_at)
       select $1, u.id, $2, u.name, $5, $6, case when $7::boolean then now() end
         from unnest($3::int[], $4::text[]) u(id, name)
       on conflict (conversation_id, user_id) do update
          set left_at = null, joined_at = now(), invited_by = excluded.invited_by, user_name = excluded.user_name,
              reads_after_leaving = cm.reads_after_leaving or excluded.reads_after_leaving,
              invitation_delivered_at = excluded.invitation_delivered_at
        where cm.left_at is not null
       returning cm.user_id`,
  keepReading: 'update conversation_members set reads_after_leaving = true where conversation_id = $1 and user_id = any($2::int[])',
  setReadsAfterLeaving: `update conversation_members set reads_after_leaving = $4
        where conversation_id = $1 and department_id = $2 and user_id = any($3::int[]) and reads_after_leaving <> $4
        returning user_id`,
  advanceRead: 'update conversation_members set last_read_seq = greatest(last_read_seq, $3) where conversation_id = $1 and user_id = $2',
  markRead: `with position as (
         select m.last_read_seq as before from conversation_members m where m.conversation_id = $1 and m.user_id = $2 for update
       )
       update conversation_members m set last_read_seq = greatest(m.last_read_seq, least($3, c.last_seq))
         from conversations c, position p
        where c.id = m.conversation_id and m.conversation_id = $1 and m.user_id = $2
        returning m.last_read_seq, p.before, m.left_at is null as member, ${unreadCountSql('c', 'm.last_read_seq')} as unread_count`,
  leave: 'update conversation_members set left_at = now() where conversation_id = $1 and user_id = $2',
  /** A direct conversation that was hidden comes back for both. */
  unhideDirect: 'update conversation_members set left_at = null where conversation_id = $1 and left_at is not null',
  unhideFor: 'update conversation_members set left_at = null where conversation_id = $1 and user_id = $2',
  rejoin: 'update conversation_members set left_at = null, joined_at = now() where conversation_id = $1 and user_id = $2',
  setNotificationLevel:
    'update conversation_members set notification_level = $4 where conversation_id = $1 and user_id = $2 and department_id = $3 returning user_id',
  /** Read-only from now on, and gone from every list. */
  archive: `with unlisted as (update conversation_members set active_at = null where conversation_id = $1)
       update conversations set archived_at = now() where id = $1`,
  receipts: `select user_id, last_read_seq from conversation_members
        where conversation_id = $1 and department_id = $2 and left_at is null order by user_id`,
  /** The page is chosen first (keyset on the member's activity index), so members and last message are joined for it alone. */
  listPage: summarySql(
    `from (select m.*
             from conversation_members m join conversations c on c.id = m.conversation_id
            where m.user_id = $1 and m.department_id = $2
              and m.active_at is not null and (m.left_at is null or m.reads_after_leaving)
              and ($4::text is null or c.kind = $4)
              and ($5::bigint is null or (m.active_at, m.conversation_id) < (${CURSOR_AT}, $6::int))
            order by m.active_at desc, m.conversation_id desc limit $3) m
     join conversations c on c.id = m.conversation_id`,
    'true',
    'order by m.active_at desc, c.id desc',
  ),
  summary: summarySql(
    'from conversations c left join conversation_members m on m.conversation_id = c.id and m.user_id = $3',
    'c.id = $1 and c.department_id = $2',
  ),
  summariesFor: summarySql(
    `from unnest($1::int[], $2::int[]) p(conversation_id, user_id)
     join conversation_members m on m.conversation_id = p.conversation_id and m.user_id = p.user_id
     join conversations c on c.id = m.conversation_id`,
    'c.department_id = $3',
  ),
  /** From the primary key (conversation_id, seq): the same few rows read in a long history as in a short one. */
  historyAfter: `select ${MESSAGE_COLUMNS} from conversation_messages
        where conversation_id = $1 and department_id = $2 and seq > $3 and seq < $4
        order by seq asc limit $5`,
  historyBefore: `select ${MESSAGE_COLUMNS} from conversation_messages
        where conversation_id = $1 and department_id = $2 and seq > $3 and seq < $4
        order by seq desc limit $5`,
  /** A dispatch record's whole history, as the contract keeps it by default. */
  wholeHistory: `select ${MESSAGE_COLUMNS} from conversation_messages where conversation_id = $1 and department_id = $2 order by seq`,
  messageByClientId: `select ${MESSAGE_COLUMNS} from conversation_messages
        where conversation_id = $1 and sender_id = $2 and client_id = $3 and department_id = $4`,
  lockMessage: `select ${MESSAGE_COLUMNS} from conversation_messages where conversation_id = $1 and seq = $2 and department_id = $3 for update`,
  edit: `with version as (
         insert into conversation_message_edits (conversation_id, seq, version, department_id, body)
         select $1, $2, coalesce((select max(version) from conversation_message_edits where conversation_id = $1 and seq = $2), 0) + 1, $3, $5
       )
       update conversation_messages set body = $4, edited_at = now()
        where conversation_id = $1 and seq = $2 and department_id = $3
       returning ${MESSAGE_COLUMNS}`,
  retract: `with versions as (delete from conversation_message_edits where conversation_id = $1 and seq = $2)
       update conversation_messages
          set body = '', retracted_at = now(), mention_user_ids = '{}', location_lat = null, location_lng = null, location_accuracy_m = null
        where conversation_id = $1 and seq = $2 and department_id = $3
       returning ${MESSAGE_COLUMNS}`,
  edits: `select version, body, replaced_at from conversation_message_edits
        where conversation_id = $1 and seq = $2 and department_id = $3 order by version`,
  openConversation: `insert into conversations (department_id, kind, title, created_by, zone_id, dispatch_id)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (department_id, dispatch_id) where dispatch_id is not null do nothing
       returning id`,
  lockDispatchConversation: 'select id from conversations where department_id = $1 and dispatch_id = $2 for update',
  dispatchConversationId: 'select id from conversations where department_id = $1 and dispatch_id = $2',
  /** The unique pair makes a concurrent start wait here and then find the conversation the other one made. */
  openDirect: `insert into conversations (department_id, kind, title, created_by, direct_low, direct_high)
       values ($1, 'direct', $2, $3, least($3::int, $4::int), greatest($3::int, $4::int))
       on conflict (department_id, direct_low, direct_high) where kind = 'direct' do nothing
       returning id`,
  findDirect: `select id from conversations
        where department_id = $1 and kind = 'direct' and direct_low = least($2::int, $3::int) and direct_high = greatest($2::int, $3::int)`,
  /** Mass text, 1: the direct conversations that do not exist yet, with both members. */
  massTextOpen: `with created as (
         insert into conversations (department_id, kind, title, created_by, direct_low, direct_high)
         select $1, 'direct', $3 || ' & ' || r.name, $2, least($2::int, r.id), greatest($2::int, r.id)
           from unnest($4::int[], $5::text[]) r(id, name)
         on conflict (department_id, direct_low, direct_high) where kind = 'direct' do nothing
         returning id, direct_low, direct_high
       ), peers as (
         select c.id, case when c.direct_low = $2 then c.direct_high else c.direct_low end as peer_id from created c
       ), members as (
         insert into conversation_members (conversation_id, user_id, department_id, user_name, invited_by, invitation_delivered_at)
         select p.id, $2, $1, $3, null, now() from peers p
         union all
         select p.id, p.peer_id, $1, r.name, $2, null from peers p join unnest($4::int[], $5::text[]) r(id, name) on r.id = p.peer_id
       )
       select id, peer_id from peers`,
  /** Mass text, 2: every pair's conversation locked in id order, so concurrent mass texts cannot deadlock. */
  massTextLock: `select c.id, case when c.direct_low = $2 then c.direct_high else c.direct_low end as peer_id
         from conversations c join unnest($3::int[]) r(id)
           on c.direct_low = least($2::int, r.id) and c.direct_high = greatest($2::int, r.id)
        where c.department_id = $1 and c.kind = 'direct' and c.archived_at is null
        order by c.id for update of c`,
  /** Mass text, 3: one message in each; the sender has read their own; hidden conversations come back and move up. */
  massTextPost: `with bumped as (
         update conversations set last_seq = last_seq + 1, text_count = text_count + 1, last_message_at = now()
          where id = any($1::int[])
          returning id, last_seq, text_count
       ), members as (
         update conversation_members m
            set left_at = null, active_at = now(),
                last_read_seq = case when m.user_id = $3 then b.last_seq else m.last_read_seq end
           from bumped b where m.conversation_id = b.id
       )
       insert into conversation_messages (conversation_id, seq, text_seq, department_id, sender_id, sender_name, kind, body)
       select b.id, b.last_seq, b.text_count, $2, $3, $4, 'text', $5 from bumped b
       returning ${MESSAGE_COLUMNS}`,
  /** Mass text, 4: kept as one, so its sender gets one overview instead of a row per recipient. */
  massTextRecord: 'insert into mass_texts (department_id, sender_id, body) values ($1, $2, $3) returning id',
  massTextRecipients: `insert into mass_text_recipients (mass_text_id, conversation_id, user_id, seq)
       select $1, r.conversation_id, r.user_id, r.seq from unnest($2::int[], $3::int[], $4::int[]) r(conversation_id, user_id, seq)`,
  /** Mass text, 5: each recipient's level on their direct conversation with the sender decides their push. */
  peerLevels: 'select user_id, notification_level from conversation_members where conversation_id = any($1::int[]) and user_id <> $2',
  claimInvitationPairs: `update conversation_members m set invitation_delivered_at = now()
         from unnest($1::int[], $2::int[]) p(conversation_id, user_id)
        where m.conversation_id = p.conversation_id and m.user_id = p.user_id
          and m.invitation_delivered_at is null and m.left_at is null
        returning m.conversation_id, m.user_id, m.department_id`,
  claimInvitationsOf: `update conversation_members set invitation_delivered_at = now()
        where user_id = $1 and invitation_delivered_at is null and left_at is null
        returning conversation_id, user_id, department_id`,
};

const ID_MAX = 2147483647;

/** The SQL of conversations, their members and their messages: the one place it is written. */
@Injectable()
export class ConversationStore {
  constructor(private readonly sql: SqlPool) {}

  /** Statements outside a transaction, on the shared pool. */
  readonly pool: Db = { query: async <T extends QueryResultRow>(text: string, values?: unknown[]) => ({ rows: await this.sql.query<T>(text, values) }) };

  /** The conversation and `userId`'s membership; with `lock`, the row stays locked until the transaction ends (sends queue here). */
  async access(db: Db, departmentId: number, conversationId: number, userId: number, lock = false): Promise<ConversationAccess | null> {
    const { rows } = await db.query(lock ? CONVERSATION_SQL.accessForUpdate : CONVERSATION_SQL.access, [conversationId, departmentId, userId]);
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
  async readable(db: Db, departmentId: number, conversationId: number, userId: number): Promise<ConversationAccess> {
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
   * The members' lists are moved by `markActive`.
   */
  async append(tx: Db, departmentId: number, conversationId: number, messages: readonly NewMessage[]): Promise<ConversationMessagePayload[]> {
    if (messages.length === 0) return [];
    const texts = messages.filter((m) => m.kind === 'text').length;
    const { rows } = await tx.query<MessageRow>(CONVERSATION_SQL.append, [
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
    ]);
    return rows.map(toMessage).sort((a, b) => a.seq - b.seq);
  }

  /** Touches every member's row of the conversation: a post runs it after its commit rather than before its delivery. */
  async markActive(db: Db, conversationId: number): Promise<void> {
    await db.query(CONVERSATION_SQL.markActive, [conversationId]);
  }

  /** The current members with their notification levels, for deciding who gets a push. */
  async currentMembersWithLevels(db: Db, conversationId: number): Promise<{ userId: number; level: NotificationLevel }[]> {
    const { rows } = await db.query<{ user_id: number; notification_level: NotificationLevel }>(CONVERSATION_SQL.currentMembersWithLevels, [conversationId]);
    return rows.map((r) => ({ userId: r.user_id, level: r.notification_level }));
  }

  /**
   * Adds members in one statement: new ones are inserted, ones who had left come back; current
   * members are left as they are. Resolves to the ids actually added.
   */
  async addMembers(
    tx: Db,
    departmentId: number,
    conversationId: number,
    members: readonly { userId: number; name: string }[],
    options: { invitedBy: number | null; readsAfterLeaving?: boolean; delivered?: boolean },
  ): Promise<number[]> {
    if (members.length === 0) return [];
    const { rows } = await tx.query<{ user_id: number }>(CONVERSATION_SQL.addMembers, [
      conversationId,
      departmentId,
      members.map((m) => m.userId),
      members.map((m) => m.name),
      options.invitedBy,
      options.readsAfterLeaving ?? false,
      options.delivered ?? false,
    ]);
    return rows.map((r) => r.user_id);
  }

  /** These members keep reading after they leave (the dispatch rule), current members included. */
  async keepReading(tx: Db, conversationId: number, userIds: readonly number[]): Promise<void> {
    await tx.query(CONVERSATION_SQL.keepReading, [conversationId, [...userIds]]);
  }

  /** Sets the dispatch rule for these members; resolves to how many rows changed. */
  async setReadsAfterLeaving(departmentId: number, conversationId: number, userIds: readonly number[], readsAfterLeaving: boolean): Promise<number> {
    const rows = await this.sql.query(CONVERSATION_SQL.setReadsAfterLeaving, [conversationId, departmentId, [...userIds], readsAfterLeaving]);
    return rows.length;
  }

  /** The current members' ids. */
  async currentMemberIds(db: Db, conversationId: number): Promise<number[]> {
    const { rows } = await db.query<{ user_id: number }>(CONVERSATION_SQL.currentMemberIds, [conversationId]);
    return rows.map((r) => r.user_id);
  }

  /** Members and those the dispatch rule keeps reading. */
  async readerIds(db: Db, conversationId: number): Promise<number[]> {
    const { rows } = await db.query<{ user_id: number }>(CONVERSATION_SQL.readerIds, [conversationId]);
    return rows.map((r) => r.user_id);
  }

  /** Moves the member's read position forward (never back), up to the last message. */
  async advanceRead(db: Db, conversationId: number, userId: number, seq: number): Promise<void> {
    await db.query(CONVERSATION_SQL.advanceRead, [conversationId, userId, seq]);
  }

  /** As `advanceRead`, capped at the last message, with where the position was and the unread count left. */
  async markRead(conversationId: number, userId: number, seq: number) {
    const [row] = await this.sql.query<{ last_read_seq: number; before: number; unread_count: number; member: boolean }>(CONVERSATION_SQL.markRead, [
      conversationId,
      userId,
      seq,
    ]);
    return row;
  }

  async leave(tx: Db, conversationId: number, userId: number): Promise<void> {
    await tx.query(CONVERSATION_SQL.leave, [conversationId, userId]);
  }

  /** A hidden direct conversation comes back for both. */
  async unhideDirect(tx: Db, conversationId: number): Promise<void> {
    await tx.query(CONVERSATION_SQL.unhideDirect, [conversationId]);
  }

  /** A hidden conversation comes back to one member's list. */
  async unhideFor(tx: Db, conversationId: number, userId: number): Promise<void> {
    await tx.query(CONVERSATION_SQL.unhideFor, [conversationId, userId]);
  }

  /** A member who left is current again. */
  async rejoin(tx: Db, conversationId: number, userId: number): Promise<void> {
    await tx.query(CONVERSATION_SQL.rejoin, [conversationId, userId]);
  }

  /** False when the caller has no membership row. */
  async setNotificationLevel(departmentId: number, conversationId: number, userId: number, level: NotificationLevel): Promise<boolean> {
    return (await this.sql.query(CONVERSATION_SQL.setNotificationLevel, [conversationId, userId, departmentId, level])).length > 0;
  }

  async archive(tx: Db, conversationId: number): Promise<void> {
    await tx.query(CONVERSATION_SQL.archive, [conversationId]);
  }

  /** Each current member's last read `seq`. */
  async receipts(departmentId: number, conversationId: number): Promise<{ userId: number; seq: number }[]> {
    const rows = await this.sql.query<{ user_id: number; last_read_seq: number }>(CONVERSATION_SQL.receipts, [conversationId, departmentId]);
    return rows.map((r) => ({ userId: r.user_id, seq: r.last_read_seq }));
  }

  /** A page of the caller's open conversations, most recently active first, optionally of one kind. */
  async listFor(
    departmentId: number,
    userId: number,
    page: { limit: number; cursor?: string; kind?: ConversationKind },
  ): Promise<ConversationPage> {
    const after = page.cursor ? CONVERSATION_CURSOR.exec(page.cursor) : null;
    const rows = await this.sql.query<SummaryRow & { active_micros: string }>(CONVERSATION_SQL.listPage, [
      userId,
      departmentId,
      page.limit + 1,
      page.kind ?? null,
      after?.[1] ?? null,
      after?.[2] ?? null,
    ]);
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toSummary),
      nextCursor: rows.length > page.limit && last ? `${last.active_micros}.${last.id}` : null,
    };
  }

  /** One conversation as `viewerId` sees it (null: as the record, with no read position). */
  async summary(db: Db, departmentId: number, conversationId: number, viewerId: number | null): Promise<ConversationSummary | null> {
    const { rows } = await db.query<SummaryRow>(CONVERSATION_SQL.summary, [conversationId, departmentId, viewerId]);
    return rows[0] ? toSummary(rows[0]) : null;
  }

  /** Summaries for (conversation, viewer) pairs, each from its viewer's side, in one query. */
  async summariesFor(
    departmentId: number,
    pairs: readonly { conversationId: number; userId: number }[],
  ): Promise<{ userId: number; conversation: ConversationSummary }[]> {
    if (pairs.length === 0) return [];
    const rows = await this.sql.query<SummaryRow>(CONVERSATION_SQL.summariesFor, [pairs.map((p) => p.conversationId), pairs.map((p) => p.userId), departmentId]);
    return rows.map((r) => ({ userId: r.viewer_id!, conversation: toSummary(r) }));
  }

  /**
   * Messages by `seq`: `after` gives the next ones (a reconnecting client's catch-up), `before`
   * the ones just before (scrolling back), neither the latest. One more than asked tells whether there is more.
   */
  async history(departmentId: number, conversationId: number, range: { after?: number; before?: number; limit: number }): Promise<HistoryPage> {
    const { after, before, limit } = range;
    const ascending = after !== undefined;
    const rows = await this.sql.query<MessageRow>(ascending ? CONVERSATION_SQL.historyAfter : CONVERSATION_SQL.historyBefore, [
      conversationId,
      departmentId,
      after ?? 0,
      before ?? ID_MAX,
      limit + 1,
    ]);
    const hasMore = rows.length > limit;
    const items = rows.slice(0, limit).map(toMessage);
    if (!ascending) items.reverse();
    const edge = ascending ? items[items.length - 1] : items[0];
    return { items, nextCursor: hasMore && edge ? String(edge.seq) : null, hasMore };
  }

  /** Every message, oldest first: for a dispatch record read whole. */
  async wholeHistory(departmentId: number, conversationId: number): Promise<HistoryPage> {
    const rows = await this.sql.query<MessageRow>(CONVERSATION_SQL.wholeHistory, [conversationId, departmentId]);
    return { items: rows.map(toMessage), nextCursor: null, hasMore: false };
  }

  /** The sender's message stored under `clientId`, if any. */
  async messageByClientId(db: Db, departmentId: number, conversationId: number, senderId: number, clientId: string): Promise<ConversationMessagePayload | null> {
    const { rows } = await db.query<MessageRow>(CONVERSATION_SQL.messageByClientId, [conversationId, senderId, clientId, departmentId]);
    return rows[0] ? toMessage(rows[0]) : null;
  }

  /** The message, locked until the transaction ends; null when there is none. */
  async lockMessage(tx: Db, departmentId: number, conversationId: number, seq: number): Promise<MessageRow | null> {
    const { rows } = await tx.query<MessageRow>(CONVERSATION_SQL.lockMessage, [conversationId, seq, departmentId]);
    return rows[0] ?? null;
  }

  /** Replaces the text, keeping the earlier one as a version. */
  async edit(tx: Db, departmentId: number, conversationId: number, seq: number, body: string, previous: string): Promise<ConversationMessagePayload> {
    const { rows } = await tx.query<MessageRow>(CONVERSATION_SQL.edit, [conversationId, seq, departmentId, body, previous]);
    return toMessage(rows[0]);
  }

  /** Empties the message and forgets its versions; its place in the history stays. */
  async retract(tx: Db, departmentId: number, conversationId: number, seq: number): Promise<ConversationMessagePayload> {
    const { rows } = await tx.query<MessageRow>(CONVERSATION_SQL.retract, [conversationId, seq, departmentId]);
    return toMessage(rows[0]);
  }

  async edits(departmentId: number, conversationId: number, seq: number): Promise<{ version: number; body: string; replacedAt: string }[]> {
    const rows = await this.sql.query<{ version: number; body: string; replaced_at: Date }>(CONVERSATION_SQL.edits, [conversationId, seq, departmentId]);
    return rows.map((r) => ({ version: r.version, body: r.body, replacedAt: r.replaced_at.toISOString() }));
  }

  /** A new personal or dispatch conversation; a dispatch's second opening finds (and locks) the first. */
  async open(
    tx: Db,
    c: { departmentId: number; kind: ConversationKind; title: string; createdBy: number | null; zoneId: number | null; dispatchId: number | null },
  ): Promise<{ conversationId: number; created: boolean }> {
    const { rows } = await tx.query<{ id: number }>(CONVERSATION_SQL.openConversation, [c.departmentId, c.kind, c.title, c.createdBy, c.zoneId, c.dispatchId]);
    if (rows[0]) return { conversationId: rows[0].id, created: true };
    const found = await tx.query<{ id: number }>(CONVERSATION_SQL.lockDispatchConversation, [c.departmentId, c.dispatchId]);
    return { conversationId: found.rows[0].id, created: false };
  }

  /** The direct conversation of the pair, made now or found. */
  async openDirect(tx: Db, departmentId: number, title: string, callerId: number, peerId: number): Promise<{ conversationId: number; created: boolean }> {
    const { rows } = await tx.query<{ id: number }>(CONVERSATION_SQL.openDirect, [departmentId, title, callerId, peerId]);
    if (rows[0]) return { conversationId: rows[0].id, created: true };
    const found = await tx.query<{ id: number }>(CONVERSATION_SQL.findDirect, [departmentId, callerId, peerId]);
    return { conversationId: found.rows[0].id, created: false };
  }

  /** The conversation of a dispatch, if it has one. */
  async dispatchConversationId(departmentId: number, dispatchId: number): Promise<number | null> {
    const [found] = await this.sql.query<{ id: number }>(CONVERSATION_SQL.dispatchConversationId, [departmentId, dispatchId]);
    return found?.id ?? null;
  }

  /**
   * One body into the sender's direct conversation with each recipient, in a fixed number of
   * statements whatever their number. Resolves to the conversations made now, the messages, each
   * conversation's peer, and each peer's notification level.
   */
  async massText(tx: Db, departmentId: number, sender: Actor, recipients: readonly { id: number; name: string }[], body: string) {
    const created = await tx.query<{ id: number; peer_id: number }>(CONVERSATION_SQL.massTextOpen, [
      departmentId,
      sender.userId,
      sender.name,
      recipients.map((r) => r.id),
      recipients.map((r) => r.name),
    ]);
    const locked = await tx.query<{ id: number; peer_id: number }>(CONVERSATION_SQL.massTextLock, [departmentId, sender.userId, recipients.map((r) => r.id)]);
    const conversationIds = locked.rows.map((r) => r.id);
    const posted = await tx.query<MessageRow>(CONVERSATION_SQL.massTextPost, [conversationIds, departmentId, sender.userId, sender.name, body]);
    const messages = posted.rows.map(toMessage);
    const peers = new Map(locked.rows.map((r) => [r.id, r.peer_id]));
    const [massText] = (await tx.query<{ id: number }>(CONVERSATION_SQL.massTextRecord, [departmentId, sender.userId, body])).rows;
    await tx.query(CONVERSATION_SQL.massTextRecipients, [
      massText.id,
      messages.map((m) => m.conversationId),
      messages.map((m) => peers.get(m.conversationId)!),
      messages.map((m) => m.seq),
    ]);
    const levels = await tx.query<{ user_id: number; notification_level: NotificationLevel }>(CONVERSATION_SQL.peerLevels, [conversationIds, sender.userId]);
    return {
      created: created.rows,
      messages,
      peers,
      massTextId: massText.id,
      levels: levels.rows.map((r) => ({ userId: r.user_id, level: r.notification_level })),
    };
  }

  /**
   * Claims the pending invitations of `userId` (all of them) or of the given pairs: marks them
   * delivered and resolves to those this call marked, so each is sent once even when a connect
   * and an invitation race.
   */
  async claimPendingInvitations(
    which: { userId: number } | { pairs: readonly { conversationId: number; userId: number }[] },
  ): Promise<{ conversationId: number; userId: number; departmentId: number }[]> {
    if ('pairs' in which && which.pairs.length === 0) return [];
    type Claimed = { conversation_id: number; user_id: number; department_id: number };
    const rows =
      'pairs' in which
        ? await this.sql.query<Claimed>(CONVERSATION_SQL.claimInvitationPairs, [which.pairs.map((p) => p.conversationId), which.pairs.map((p) => p.userId)])
        : await this.sql.query<Claimed>(CONVERSATION_SQL.claimInvitationsOf, [which.userId]);
    return rows
      .map((r) => ({ conversationId: r.conversation_id, userId: r.user_id, departmentId: r.department_id }))
      .sort((a, b) => a.conversationId - b.conversationId);
  }
}

/**
 * Current members read. A member who left reads on while `reads_after_leaving` holds (the
 * dispatch rule: until their task is cleared), and always reads a direct conversation.
 */
export const canRead = (a: ConversationAccess): boolean => a.isMember || (a.hasMembership && (a.kind === 'direct' || a.readsAfterLeaving));
