import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { SqlPool } from '../../database/sql-pool';
import { ConversationStore } from '../conversation.store';
import { ConversationInvitationsIssued } from '../events/conversation.events';
import { InviteeRules } from '../invitee-rules';
import { OpenDirectConversation } from './open-direct-conversation.command';

@CommandHandler(OpenDirectConversation)
export class OpenDirectConversationHandler implements ICommandHandler<OpenDirectConversation> {
  constructor(
    private readonly sql: SqlPool,
    private readonly store: ConversationStore,
    private readonly rules: InviteeRules,
    private readonly events: EventBus,
  ) {}

  async execute({ caller, userId }: OpenDirectConversation) {
    const departmentId = caller.departmentId;
    if (userId === caller.userId) throw DomainError.invalid('userId: a direct conversation is with someone else');
    const [peer] = await this.rules.resolve(departmentId, [userId], 'userId');

    const outcome = await this.sql.transaction(async (tx) => {
      // The unique pair makes a concurrent start wait here and then find the conversation the other one made.
      const { conversationId, created } = await this.store.openDirect(tx, departmentId, `${caller.name} & ${peer.name}`, caller.userId, peer.id);
      if (created) {
        await this.store.addMembers(tx, departmentId, conversationId, [{ userId: caller.userId, name: caller.name }], { invitedBy: null, delivered: true });
        await this.store.addMembers(tx, departmentId, conversationId, [{ userId: peer.id, name: peer.name }], { invitedBy: caller.userId });
      } else {
        // Asking again brings a hidden direct conversation back to the caller's list.
        await this.store.unhideFor(tx, conversationId, caller.userId);
      }
      const conversation = (await this.store.summary(tx, departmentId, conversationId, caller.userId))!;
      return { conversation, created };
    });
    if (outcome.created) {
      this.events.publish(new ConversationInvitationsIssued(departmentId, [{ conversationId: outcome.conversation.id, userIds: [peer.id] }]));
    }
    return outcome;
  }
}
