import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { ConversationStore } from '../conversation.store';
import { ConversationTyping } from '../events/conversation.events';
import { TypingThrottle } from '../typing-throttle';
import { SignalTyping } from './signal-typing.command';

@CommandHandler(SignalTyping)
export class SignalTypingHandler implements ICommandHandler<SignalTyping> {
  constructor(
    private readonly store: ConversationStore,
    private readonly throttle: TypingThrottle,
    private readonly events: EventBus,
  ) {}

  async execute({ member, conversationId }: SignalTyping) {
    // Throttled before the database is asked, so a stream of key presses costs nothing.
    if (!this.throttle.take(member.userId, conversationId)) return { relayed: false };
    const conversation = await this.store.access(this.store.pool, member.departmentId, conversationId, member.userId);
    if (!conversation?.hasMembership) throw DomainError.notFound(`Conversation ${conversationId} not found`);
    if (!conversation.isMember || conversation.archived) return { relayed: false };
    const others = (await this.store.currentMemberIds(this.store.pool, conversationId)).filter((id) => id !== member.userId);
    if (others.length) this.events.publish(new ConversationTyping(member.departmentId, conversationId, member.userId, others));
    return { relayed: others.length > 0 };
  }
}
