import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { iso } from '../../mail/mail.mapper';
import { PresenceService } from '../../presence/presence.service';
import type { ConversationDelivery, RecipientDeliveryState } from '../dto/delivery-views';
import { UrgentRepository } from '../urgent.repository';
import { GetConversationDelivery } from './get-conversation-delivery.query';

@QueryHandler(GetConversationDelivery)
export class GetConversationDeliveryHandler implements IQueryHandler<GetConversationDelivery, ConversationDelivery> {
  constructor(
    private readonly urgent: UrgentRepository,
    private readonly presence: PresenceService,
  ) {}

  async execute({ caller, conversationId, seq }: GetConversationDelivery): Promise<ConversationDelivery> {
    const priority = await this.urgent.authoredLinePriority(caller.departmentId, caller.userId, conversationId, seq);
    // Only its author sees who got it; an ordinary message has no record.
    if (priority !== 'urgent') throw DomainError.notFound(`Conversation ${conversationId} has no urgent message ${seq} of yours`);
    const rows = await this.urgent.conversationDelivery(conversationId, seq, this.presence.staleAfterSeconds);
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
