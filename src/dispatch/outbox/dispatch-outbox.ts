import type { EntityManager } from '@mikro-orm/postgresql';
import type { DispatchEvent } from '../../common/events';

/**
 * A fresh event is delivered by the process that wrote it, right after its commit; the poller
 * of any process takes it over only after this grace, should the writer have stopped first.
 */
export const WRITER_GRACE_MS = 5_000;

/**
 * Adds events to the outbox inside the caller's transaction: they exist if and only if the
 * change they announce commits. Their order here is their delivery order.
 */
export async function appendToOutbox(tx: EntityManager, events: readonly DispatchEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(() => `(?::uuid, ?, ?, ?, ?::jsonb, now() + ?::int * interval '1 millisecond')`).join(', ');
  const params = events.flatMap((e) => [e.eventId, e.departmentId, e.dispatchId, e.type, JSON.stringify(e), WRITER_GRACE_MS]);
  await tx
    .getConnection()
    .execute(
      `insert into dispatch_outbox (event_id, department_id, dispatch_id, type, payload, next_attempt_at) values ${rows}`,
      params,
      'run',
      tx.getTransactionContext(),
    );
}
