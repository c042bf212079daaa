import type { PoolClient } from 'pg';
import type { EscalationPlan } from './dto/urgent.dto';

/**
 * One acknowledgement row per member an urgent conversation message must reach, in one
 * statement; the line keeps its escalation plan, if any, for the reminder steps to read.
 */
export async function recordUrgentRecipients(
  tx: PoolClient,
  departmentId: number,
  conversationId: number,
  seq: number,
  userIds: readonly number[],
  plan: EscalationPlan | null = null,
) {
  if (!userIds.length) return;
  if (plan) await tx.query('update conversation_messages set escalation = $3 where conversation_id = $1 and seq = $2', [conversationId, seq, plan]);
  await tx.query(
    `insert into conversation_message_acks (conversation_id, seq, user_id, department_id)
     select $1, $2, u.id, $3 from unnest($4::int[]) as u(id)`,
    [conversationId, seq, departmentId, userIds],
  );
}
