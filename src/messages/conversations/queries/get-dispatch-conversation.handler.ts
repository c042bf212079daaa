import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ConversationStore } from '../conversation.store';
import { DispatchConversationRecord, GetDispatchConversation, readDispatchConversation } from './get-dispatch-conversation.query';

@QueryHandler(GetDispatchConversation)
export class GetDispatchConversationHandler implements IQueryHandler<GetDispatchConversation> {
  constructor(private readonly store: ConversationStore) {}

  execute(query: GetDispatchConversation): Promise<DispatchConversationRecord | null> {
    return readDispatchConversation(this.store, query);
  }
}
