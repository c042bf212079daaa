import { Injectable } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/errors/domain-error';
import { ConversationStore } from '../conversation.store';
import { ConversationTyping } from '../events/conversation.events';
import { SignalTypingCommand, TYPING_RELAY_INTERVAL_MS } from './signal-typing.command';

/** When each (member, conversation) was last relayed, in this process's memory only. */
@Injectable()
export class TypingThrottle {
  private readonly last = new Map<string, number>();

  /** True when this signal should be relayed, and counts it. */
  take(userId: number, conversationId: number, now = Date.now()): boolean {
    const key = `${userId}:${conversationId}`;
    const previous = this.last.get(key);
    if (previous !== undefined && now - previous < TYPING_RELAY_INTERVAL_MS) return false;
    this.last.set(key, now);
    // Forget what is too old to matter, so the map stays as small as the people typing right now.
    if (this.last.size > 10_000) for (const [k, at] of this.last) if (now - at >= TYPING_RELAY_INTERVAL_MS) this.last.delete(k);
    return true;
  }
}

@CommandHandler(SignalTypingCommand)
export class SignalTypingHandler implements ICommandHandler<SignalTypingCommand> {
  constructor(
    private readonly store: ConversationStore,
    private readonly throttle: TypingThrottle,
    private readonly events: EventBus,
  ) {}

  async execute({ member, conversationId }: SignalTypingCommand) {
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
