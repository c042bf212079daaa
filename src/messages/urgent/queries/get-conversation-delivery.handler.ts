import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { iso } from '../../mail/mail.mapper';
import { PresenceService } from '../../presence/presence.service';
import type { ConversationDelivery, RecipientDeliveryState } from '../dto/delivery-views';
import { GetConversationDelivery } from './get-conversation-delivery.query';

interface Row {
  user_id: number;
  name: string | null;
  state: RecipientDeliveryState;
  socket_at: Date | null;
  push_at: Date | null;
  read: boolean;
  acknowledged_at: Date | null;
}

@QueryHandler(GetConversationDelivery)
export class GetConversationDeliveryHandler implements IQueryHandler<GetConversationDelivery, ConversationDelivery> {
  constructor(
    private readonly sql: SqlPool,
    private readonly presence: PresenceService,
  ) {}

  async execute({ caller, conversationId, seq }: GetConversationDelivery): Promise<ConversationDelivery> {
    const [message] = await this.sql.query<{ priority: string }>(
      `select priority from conversation_messages where conversation_id = $1 and seq = $2 and department_id = $3 and sender_id = $4`,
      [conversationId, seq, caller.departmentId, caller.userId],
    );
    // Only its author sees who got it; an ordinary message has no record.
    if (message?.priority !== 'urgent') throw DomainError.notFound(`Conversation ${conversationId} has no urgent message ${seq} of yours`);
    const rows = await this.sql.query<Row>(
      `select a.user_id, m.user_name as name, a.socket_at, a.push_at, a.acknowledged_at,
              coalesce(m.last_read_seq >= a.seq, false) as read,
              case when a.acknowledged_at is not null then 'acknowledged'
                   when m.last_read_seq >= a.seq then 'read'
                   when a.socket_at is not null or a.push_at is not null then 'reached'
                   when ${PresenceService.onlineCondition('a.user_id', '$3')}
                     or exists (select 1 from push_subscriptions s where s.department_id = a.department_id and s.user_id = a.user_id) then 'pending'
                   else 'unreachable' end as state
         from conversation_message_acks a
         left join conversation_members m on m.conversation_id = a.conversation_id and m.user_id = a.user_id
        where a.conversation_id = $1 and a.seq = $2
        order by a.user_id`,
      [conversationId, seq, this.presence.staleAfterSeconds],
    );
    const count = (...states: RecipientDeliveryState[]) => rows.filter((r) => states.includes(r.state)).length;
    return {
      conversationId,
      seq,
      summary: {
        recipients: rows.length,
        reached: count('reached', 'read', 'acknowledged'),
        read: rows.filter((r) => r.read).length,
        acknowledged: count('acknowledged'),
        unreachable: count('unreachable'),
      },
      items: rows.map((r) => ({
        userId: r.user_id,
        name: r.name,
        state: r.state,
        channels: { socket: iso(r.socket_at), push: iso(r.push_at), email: null },
        readAt: null,
        acknowledgedAt: iso(r.acknowledged_at),
        response: null,
      })),
      nextCursor: null,
    };
  }
}
