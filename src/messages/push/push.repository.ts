import { Injectable } from '@nestjs/common';
import type { PoolClient, QueryResultRow } from 'pg';
import { SqlPool } from '../database/sql-pool';
import { PresenceService } from '../presence/presence.service';

/** What a statement runs on: a transaction's client. */
interface Tx {
  query<T extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: T[] }>;
}

/** A device to send to, with its delivery's state and the event's payload. */
export interface PushTarget {
  status: string;
  payload: object;
  endpoint: string;
  p256dh: string;
  auth: string;
}

/**
 * Every statement of Web Push (subscriptions, events, per-device deliveries, job claims), written
 * once. The snapshot test keeps their text, so a changed query shows in review.
 */
export const PUSH_SQL = {
  /** One event for the members given who have a device (and, unless `$6`, no live socket); nothing when none has. */
  recordEvent: `insert into push_events (department_id, kind, payload, user_ids)
       select $1, $2, $3, array_agg(t.user_id order by t.user_id)
         from (
           select distinct s.user_id from push_subscriptions s
            where s.department_id = $1 and s.user_id = any($4::int[])
              and ($6 or not ${PresenceService.onlineCondition('s.user_id', '$5')})
         ) t
       having count(*) > 0
       returning id`,
  lockEndpoint: 'select user_id, department_id, p256dh, auth from push_subscriptions where endpoint = $1 for update',
  /** A device now used by someone else starts afresh: nothing queued for its former owner reaches it. */
  releaseEndpoint: 'delete from push_subscriptions where endpoint = $1 and (user_id <> $2 or department_id <> $3)',
  saveSubscription: `insert into push_subscriptions (department_id, user_id, endpoint, p256dh, auth)
       values ($1, $2, $3, $4, $5)
       on conflict (endpoint) do update set p256dh = excluded.p256dh, auth = excluded.auth, updated_at = now()
       returning id, endpoint, created_at`,
  /** A member's oldest devices beyond the limit make room for a new one. */
  trimDevices: `delete from push_subscriptions where id in (
         select id from push_subscriptions where department_id = $1 and user_id = $2
         order by updated_at desc, id desc offset $3)`,
  removeSubscription: 'delete from push_subscriptions where endpoint = $1 and user_id = $2 and department_id = $3',
  forgetSubscription: 'delete from push_subscriptions where id = $1',
  /** Pushes of a message not yet sent; a delivery whose event is gone is skipped. */
  withdrawPending: `delete from push_events
        where department_id = $1 and created_at > now() - interval '2 days'
          and payload->'ids' @> $2::jsonb`,
  forgetOldEvents: `delete from push_events where created_at < now() - $1 * interval '1 day'`,
  /** One pending delivery per device of the event's members, in one statement. */
  fanOut: `insert into push_deliveries (event_id, subscription_id, department_id)
       select e.id, s.id, e.department_id
         from push_events e
         join push_subscriptions s on s.department_id = e.department_id and s.user_id = any(e.user_ids)
        where e.id = $1
       on conflict (event_id, subscription_id) do nothing
       returning subscription_id`,
  target: `select d.status, e.payload, s.endpoint, s.p256dh, s.auth
       from push_deliveries d
       join push_events e on e.id = d.event_id
       join push_subscriptions s on s.id = d.subscription_id
      where d.event_id = $1 and d.subscription_id = $2`,
  sent: `update push_deliveries set status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = null
      where event_id = $1 and subscription_id = $2`,
  refused: `update push_deliveries set attempts = attempts + 1, last_error = $3, status = 'failed'
      where event_id = $1 and subscription_id = $2`,
  failed: `update push_deliveries set attempts = attempts + 1, last_error = $3, status = case when $4 then 'failed' else status end
      where event_id = $1 and subscription_id = $2`,
  claimJobs: `insert into push_job_claims (job_id, queue, process_id) select unnest($1::uuid[]), $2, $3
       on conflict (job_id) do update set process_id = excluded.process_id, claimed_at = now()`,
  releaseJobs: 'delete from push_job_claims where job_id = any($1::uuid[])',
  /** Claims of processes whose heartbeat went stale, taken back. */
  takeOrphanedClaims: `delete from push_job_claims c
       where c.claimed_at < clock_timestamp() - $1 * interval '1 second'
         and not exists (
           select 1 from server_processes p where p.id = c.process_id and p.heartbeat_at > clock_timestamp() - $1 * interval '1 second')
       returning c.job_id, c.queue`,
};

/** The SQL of Web Push: the one place it is written. */
@Injectable()
export class PushRepository {
  constructor(private readonly sql: SqlPool) {}

  /** Records a notification event for those of `userIds` it reaches; null when it reaches nobody. */
  async recordEvent(
    tx: PoolClient,
    departmentId: number,
    kind: string,
    payload: object,
    userIds: readonly number[],
    staleAfterSeconds: number,
    evenWhenOnline: boolean,
  ): Promise<number | null> {
    const { rows } = await tx.query<{ id: string }>({
      name: 'push_event_insert',
      text: PUSH_SQL.recordEvent,
      values: [departmentId, kind, payload, userIds, staleAfterSeconds, evenWhenOnline],
    });
    return rows[0] ? Number(rows[0].id) : null;
  }

  /** Who holds the endpoint now (locked until the transaction ends). */
  async lockEndpoint(tx: Tx, endpoint: string) {
    const { rows } = await tx.query<{ user_id: number; department_id: number; p256dh: string; auth: string }>(PUSH_SQL.lockEndpoint, [endpoint]);
    return rows;
  }

  /** Stores the member's subscription, the endpoint moved to them, and their oldest devices beyond `maxDevices` dropped. */
  async saveSubscription(
    tx: Tx,
    s: { departmentId: number; userId: number; endpoint: string; p256dh: string; auth: string },
    maxDevices: number,
  ): Promise<{ id: number; endpoint: string; createdAt: string }> {
    await tx.query(PUSH_SQL.releaseEndpoint, [s.endpoint, s.userId, s.departmentId]);
    const { rows } = await tx.query<{ id: string; endpoint: string; created_at: Date }>(PUSH_SQL.saveSubscription, [
      s.departmentId,
      s.userId,
      s.endpoint,
      s.p256dh,
      s.auth,
    ]);
    await tx.query(PUSH_SQL.trimDevices, [s.departmentId, s.userId, maxDevices]);
    const row = rows[0];
    return { id: Number(row.id), endpoint: row.endpoint, createdAt: row.created_at.toISOString() };
  }

  async removeSubscription(departmentId: number, userId: number, endpoint: string): Promise<void> {
    await this.sql.query(PUSH_SQL.removeSubscription, [endpoint, userId, departmentId]);
  }

  /** The push service says the device is gone: its deliveries go with it. */
  async forgetSubscription(subscriptionId: number): Promise<void> {
    await this.sql.query(PUSH_SQL.forgetSubscription, [subscriptionId]);
  }

  /** Withdraws the pushes not yet sent that carry these ids (say a conversation message's). */
  async withdrawPending(tx: Tx, departmentId: number, ids: Record<string, number>): Promise<void> {
    await tx.query(PUSH_SQL.withdrawPending, [departmentId, JSON.stringify(ids)]);
  }

  async forgetOldEvents(days: number): Promise<void> {
    await this.sql.query(PUSH_SQL.forgetOldEvents, [days]);
  }

  /** Records one pending delivery per device of the event's members; resolves to the subscriptions new here. */
  async fanOut(tx: Tx, eventId: number): Promise<number[]> {
    const { rows } = await tx.query<{ subscription_id: string }>(PUSH_SQL.fanOut, [eventId]);
    return rows.map((r) => Number(r.subscription_id));
  }

  async target(eventId: number, subscriptionId: number): Promise<PushTarget | null> {
    const [row] = await this.sql.query<PushTarget>(PUSH_SQL.target, [eventId, subscriptionId], 'push_delivery_target');
    return row ?? null;
  }

  async markSent(eventId: number, subscriptionId: number): Promise<void> {
    await this.sql.query(PUSH_SQL.sent, [eventId, subscriptionId], 'push_delivery_sent');
  }

  /** The endpoint points where pushes may not go: failed at once, never retried. */
  async markRefused(eventId: number, subscriptionId: number, reason: string): Promise<void> {
    await this.sql.query(PUSH_SQL.refused, [eventId, subscriptionId, reason], 'push_delivery_refused');
  }

  /** One more failed attempt; `last` marks the delivery failed for good. */
  async markFailed(eventId: number, subscriptionId: number, reason: string, last: boolean): Promise<void> {
    await this.sql.query(PUSH_SQL.failed, [eventId, subscriptionId, reason, last], 'push_delivery_failed');
  }

  async claimJobs(jobIds: readonly string[], queue: string, processId: string): Promise<void> {
    await this.sql.query(PUSH_SQL.claimJobs, [[...jobIds], queue, processId], 'push_job_claim');
  }

  async releaseJobs(jobIds: readonly string[]): Promise<void> {
    await this.sql.query(PUSH_SQL.releaseJobs, [[...jobIds]], 'push_job_release');
  }

  /** Removes and returns the claims of processes that stopped beating `staleAfterSeconds` ago. */
  async takeOrphanedClaims(tx: Tx, staleAfterSeconds: number): Promise<{ job_id: string; queue: string }[]> {
    const { rows } = await tx.query<{ job_id: string; queue: string }>(PUSH_SQL.takeOrphanedClaims, [staleAfterSeconds]);
    return rows;
  }
}
