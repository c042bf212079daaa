import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { SqlPool } from '../../database/sql-pool';

/** The channel every process listens on for changes to someone's unread state. */
export const UNREAD_CHANNEL = 'mail_unread';

/**
 * At most this many users are named in one notification (a user's entry is at most ~32 bytes,
 * well inside PostgreSQL's 8000-byte payload); a larger change names the department instead.
 */
export const NOTIFY_MAX_USERS = 200;

/**
 * What changed, as sent to the other processes and applied to this one's cache after the commit:
 * in department `d`, the users `u` with their new versions and unread counts, or (without `u`) anyone.
 */
export interface UnreadChange {
  d: number;
  u?: [userId: number, version: number, count: number][];
}

// The notification of a change, sent by the statement that makes it: one per statement, so one
// per transaction (a transaction changes unread state with one statement).
const notifyFrom = (changed: string, departmentParam: string) => `
  , note as (
    select case when count(*) <= ${NOTIFY_MAX_USERS}
                then json_build_object('d', ${departmentParam}::int, 'u', json_agg(json_build_array(user_id, version, unread_count)))::text
                else json_build_object('d', ${departmentParam}::int)::text end as payload
      from ${changed})
  select payload, pg_notify('${UNREAD_CHANNEL}', payload) from note where exists (select 1 from ${changed})`;

/** The newest copy each user still counts as unread (one probe of the partial unread index). */
const NEWEST = `(select max(x.message_id) from mail_recipients x where x.user_id = s.user_id and x.unread)`;

export const UNREAD_STATE_SQL = {
  /**
   * Taken first by every write that clears unread copies, in user order: the newest-unread
   * recount that follows then sees every earlier transaction's clearing.
   */
  lock: `select user_id from mail_unread_state where user_id = any($1::int[]) order by user_id for update`,

  /** A message reached these users ($1): one more unread each, and it is their newest. */
  added: `
  with changed as (
    insert into mail_unread_state as s (user_id, department_id, unread_count, newest_unread_id, version)
    select u.id, $2, 1, $3, 1 from unnest($1::int[]) as u(id) order by u.id
    on conflict (user_id) do update
       set unread_count = s.unread_count + 1,
           newest_unread_id = greatest(s.newest_unread_id, excluded.newest_unread_id),
           version = s.version + 1
    returning s.user_id, s.version, s.unread_count)${notifyFrom('changed', '$2')}`,

  /** These users ($1) have $2 fewer unread copies each (parallel arrays). */
  removed: `
  with delta as (select * from unnest($1::int[], $2::int[]) as d(user_id, n)),
  changed as (
    update mail_unread_state s
       set unread_count = greatest(s.unread_count - d.n, 0), newest_unread_id = ${NEWEST}, version = s.version + 1
      from delta d
     where s.user_id = d.user_id and d.n > 0
    returning s.user_id, s.version, s.unread_count)${notifyFrom('changed', '$3')}`,

  /** One user's state: the primary-key read behind the polled counter and its ETag. */
  one: `select unread_count as count, newest_unread_id as newest, version::float8 as version
          from mail_unread_state where user_id = $1 and department_id = $2`,

  /** Many users' counts at once, for the `unread:count` socket event. */
  counts: `select u.id as "userId", coalesce(s.unread_count, 0) as count
             from unnest($2::int[]) as u(id) left join mail_unread_state s on s.user_id = u.id and s.department_id = $1`,
};

export interface UnreadStateRow {
  count: number;
  newest: number | null;
  version: number;
}

const parse = (rows: { payload: string }[]): UnreadChange | null => (rows[0] ? (JSON.parse(rows[0].payload) as UnreadChange) : null);

/**
 * The per-user unread state. Its writes run inside the caller's transaction, beside the change to
 * the recipient rows they account for, and tell the other processes in the same commit.
 */
@Injectable()
export class UnreadStateRepository {
  constructor(private readonly sql: SqlPool) {}

  async lock(client: PoolClient, userIds: readonly number[]): Promise<void> {
    if (userIds.length) await client.query(UNREAD_STATE_SQL.lock, [userIds]);
  }

  async added(client: PoolClient, departmentId: number, messageId: number, userIds: readonly number[]): Promise<UnreadChange | null> {
    if (!userIds.length) return null;
    return parse((await client.query<{ payload: string }>(UNREAD_STATE_SQL.added, [userIds, departmentId, messageId])).rows);
  }

  /** `cleared` holds one entry per copy that stopped counting (a user may appear several times). */
  async removed(client: PoolClient, departmentId: number, cleared: readonly number[]): Promise<UnreadChange | null> {
    if (!cleared.length) return null;
    const perUser = new Map<number, number>();
    for (const id of cleared) perUser.set(id, (perUser.get(id) ?? 0) + 1);
    const { rows } = await client.query<{ payload: string }>(UNREAD_STATE_SQL.removed, [[...perUser.keys()], [...perUser.values()], departmentId]);
    return parse(rows);
  }

  async one(userId: number, departmentId: number): Promise<UnreadStateRow> {
    const [row] = await this.sql.query<UnreadStateRow>(UNREAD_STATE_SQL.one, [userId, departmentId], 'mail_unread_state_one');
    return row ?? { count: 0, newest: null, version: 0 };
  }

  async counts(departmentId: number, userIds: readonly number[]): Promise<Map<number, number>> {
    if (!userIds.length) return new Map();
    const rows = await this.sql.query<{ userId: number; count: number }>(UNREAD_STATE_SQL.counts, [departmentId, userIds], 'mail_unread_counts');
    return new Map(rows.map((r) => [r.userId, r.count]));
  }
}
