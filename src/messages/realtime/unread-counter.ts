import { Injectable } from '@nestjs/common';
import { SqlPool } from '../database/sql-pool';

// One statement for any number of users, each count answered from the partial unread index.
const COUNTS = `
  select u.id as "userId",
         (select count(*)::int from mail_recipients r
           where r.user_id = u.id and r.department_id = $1 and r.deleted_at is null and r.read_at is null
             and (r.expires_at is null or r.expires_at > now())) as count
    from unnest($2::int[]) as u(id)`;

/**
 * Each user's count of unread department messages (unread, not deleted, not expired), for the
 * `unread:count` socket event. Asked for many users at once: one query, never one per user.
 */
@Injectable()
export class UnreadCounter {
  constructor(private readonly sql: SqlPool) {}

  async countFor(departmentId: number, userIds: readonly number[]): Promise<Map<number, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.sql.query<{ userId: number; count: number }>(COUNTS, [departmentId, userIds], 'mail_unread_counts');
    return new Map(rows.map((r) => [r.userId, r.count]));
  }
}
