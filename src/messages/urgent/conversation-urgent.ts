import type { PoolClient } from 'pg';

/** One acknowledgement row per member an urgent conversation message must reach, in one statement. */
export async function recordUrgentRecipients(tx: PoolClient, departmentId: number, conversationId: number, seq: number, userIds: readonly number[]) {
  if (!userIds.length) return;
  await tx.query(
    `insert into conversation_message_acks (conversation_id, seq, user_id, department_id)
     select $1, $2, u.id, $3 from unnest($4::int[]) as u(id)`,
    [conversationId, seq, departmentId, userIds],
  );
}
