import { Command } from '@nestjs/cqrs';
import type { Actor } from '../../conversations/conversation.store';
import type { ConversationMessagePayload } from '../../realtime/socket-events';

/**
 * Writes in a dispatch's conversation; a member of the department who is not in it joins by
 * writing, when authorized in the dispatch's zone (comment-to-join).
 */
export class CommentOnDispatch extends Command<ConversationMessagePayload> {
  constructor(
    readonly author: Actor,
    readonly dispatchId: number,
    readonly body: string,
    readonly clientId?: string,
  ) {
    super();
  }
}
