import { Command } from '@nestjs/cqrs';
import { type Actor } from '../conversation.store';

/** The member leaves: the conversation leaves their list (unless the dispatch rule keeps them reading). */
export class LeaveConversation extends Command<{ conversationId: number; left: boolean }> {
  constructor(
    readonly member: Actor,
    readonly conversationId: number,
  ) {
    super();
  }
}
