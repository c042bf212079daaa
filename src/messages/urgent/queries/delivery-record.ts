import { PresenceService } from '../../presence/presence.service';
import type { SqlPool } from '../../database/sql-pool';
import type { DeliverySummary } from '../dto/delivery-views';

/** SQL: the recipient row `r` has a way to reach them now: a live socket or a push device. `$stale` is the presence window. */
const reachable = (stale: string) =>
  `(${PresenceService.onlineCondition('r.user_id', stale)}
    or exists (select 1 from push_subscriptions s where s.department_id = r.department_id and s.user_id = r.user_id))`;

const REACHED = 'r.socket_at is not null or r.push_at is not null or r.email_at is not null or r.read_at is not null';

/** Each recipient row's state, as one SQL expression. */
export const stateSql = (stale: string) => `case
  when r.acknowledged_at is not null then 'acknowledged'
  when r.read_at is not null then 'read'
  when ${REACHED} then 'reached'
  when ${reachable(stale)} then 'pending'
  else 'unreachable' end`;

/** The counts of one message's delivery record, in one aggregate over its recipient rows. */
export async function deliverySummary(sql: SqlPool, staleAfterSeconds: number, departmentId: number, messageId: number): Promise<DeliverySummary> {
  const [row] = await sql.query<DeliverySummary>(
    `select count(*)::int as recipients,
            count(*) filter (where ${REACHED})::int as reached,
            count(r.read_at)::int as read,
            count(r.acknowledged_at)::int as acknowledged,
            count(*) filter (where not (${REACHED}) and not ${reachable('$3')})::int as unreachable
       from mail_recipients r where r.message_id = $1 and r.department_id = $2`,
    [messageId, departmentId, staleAfterSeconds],
    'mail_delivery_summary',
  );
  return row;
}
